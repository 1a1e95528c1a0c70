package contract

// DecodeXMLWithin is DecodeXML with a smaller byte limit, so that tests can
// reach the limit quickly.
var DecodeXMLWithin = decodeXML

// ParseDocument parses and validates openapi.yaml, as LoadDocument does the
// first time.
var ParseDocument = parseDocument
