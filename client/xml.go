package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/callcases/conformance/contract"
	"github.com/getkin/kin-openapi/openapi3"
)

// One value, two encodings: a spec builds a request body once, as the value
// in Request.JSON, and the client writes it as XML under /xml/ (by the
// operation's schema in the contract) and as JSON elsewhere; an answer is
// read back into the same Go values whichever format it came in.

// isXMLPath reports whether a path below the base asks for the XML format.
func isXMLPath(path string) bool { return path == "/xml" || strings.HasPrefix(path, "/xml/") }

// accept is the Accept header for a path's format.
func accept(path string) string {
	if isXMLPath(path) {
		return "application/xml, text/xml, text/plain"
	}
	return "application/json, text/plain"
}

// encodeXML writes r.JSON as the XML body of the operation r is sent to.
func (c *Client) encodeXML(r Request) ([]byte, error) {
	if c.opts.Contract == nil {
		return nil, errors.New("an XML body is written by the contract's schemas, and this client has no contract")
	}
	target := c.base.String() + r.Path
	if r.Query != nil {
		target += "?" + r.Query.Encode()
	}
	req, err := http.NewRequest(r.Method, target, nil)
	if err != nil {
		return nil, err
	}
	schema, err := c.opts.Contract.RequestSchema(req)
	if err != nil {
		return nil, fmt.Errorf("no schema to write the XML body by: %w", err)
	}
	if schema == nil {
		return nil, fmt.Errorf("%s %s takes no body in the contract, so it has no XML form", r.Method, r.Path)
	}
	return contract.EncodeXML(schema, r.JSON)
}

// xmlAsJSON reads an XML answer as the JSON it stands for, by the schema
// the contract documents for the exchange's operation and status; status
// bodies off the contract's map are read by the status body's schema.
func (x *Exchange) xmlAsJSON(statusBody bool) ([]byte, error) {
	if x.contract == nil || x.HTTPRequest == nil {
		return nil, errors.New("an XML body is read by the contract's schemas, and this exchange has no contract")
	}
	var schemas []*openapi3.SchemaRef
	if s, err := x.contract.ResponseSchema(x.HTTPRequest, x.Status); err == nil && s != nil {
		schemas = append(schemas, s)
	} else if !statusBody {
		return nil, fmt.Errorf("the contract documents no XML body for this answer: %v", err)
	}
	if statusBody {
		schemas = append(schemas, x.contract.StatusSchema())
	}
	var firstErr error
	for _, s := range schemas {
		v, err := contract.DecodeXML(s, bytes.NewReader(x.Body))
		if err == nil {
			return json.Marshal(v)
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}
