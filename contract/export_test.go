package contract

// DecodeXMLWithin is DecodeXML with a smaller byte limit, so that tests can
// reach the limit quickly.
var DecodeXMLWithin = decodeXML
