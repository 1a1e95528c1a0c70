package contract

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
)

// RequestSchema is the schema of the request body the request's operation
// takes (the same for JSON and XML), found by routing the request; nil when
// the operation takes no JSON or XML body.
func (c *Contract) RequestSchema(req *http.Request) (*openapi3.SchemaRef, error) {
	route, _, err := c.findRoute(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s is no operation of the contract", req.Method, req.URL.Path)
	}
	body := route.Operation.RequestBody
	if body == nil || body.Value == nil {
		return nil, nil
	}
	return bodySchema(body.Value.Content), nil
}

// ResponseSchema is the schema of the body the request's operation documents
// for status; nil when that response has no JSON or XML body (a 204, the
// text of get-state). An undocumented status is an error.
func (c *Contract) ResponseSchema(req *http.Request, status int) (*openapi3.SchemaRef, error) {
	route, _, err := c.findRoute(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s is no operation of the contract", req.Method, req.URL.Path)
	}
	resp := route.Operation.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		return nil, fmt.Errorf("%s %s documents no %d", req.Method, route.Path, status)
	}
	return bodySchema(resp.Value.Content), nil
}

// StatusSchema is the status body's schema, which every answer off the
// contract's map (an unknown path) carries.
func (c *Contract) StatusSchema() *openapi3.SchemaRef { return c.status }

func bodySchema(content openapi3.Content) *openapi3.SchemaRef {
	for _, mt := range []string{"application/xml", "text/xml", "application/json"} {
		if m := content.Get(mt); m != nil && m.Schema != nil {
			return m.Schema
		}
	}
	return nil
}

// xmlStatusBody reads the code, text and message of an XML status body,
// and those of its batch items if it has any; the code is nil when the body
// is not one (a resource, or no XML at all).
func (c *Contract) xmlStatusBody(body []byte) (code *int, text, message *string, items []statusItem) {
	// Only a <status> naming a code can be a status body; a list page need not be decoded again.
	if !bytes.Contains(body, []byte("<status")) || !bytes.Contains(body, []byte("<code")) {
		return nil, nil, nil, nil
	}
	v, err := DecodeXML(c.batchStatus, bytes.NewReader(body))
	obj, ok := v.(map[string]any)
	if err != nil || !ok {
		return nil, nil, nil, nil
	}
	code, text, message = codeTextMessage(obj)
	if code == nil {
		return nil, nil, nil, nil
	}
	list, _ := obj["result"].([]any)
	for _, e := range list {
		item, _ := e.(map[string]any)
		c, t, m := codeTextMessage(item)
		uuids, _ := item["uuids"].([]any)
		items = append(items, statusItem{Code: c, Text: t, Message: m, UUIDs: uuids})
	}
	return code, text, message, items
}

// codeTextMessage reads a decoded object's code (nil unless an integer),
// text and message (nil unless strings).
func codeTextMessage(obj map[string]any) (code *int, text, message *string) {
	if n, ok := obj["code"].(float64); ok && n == float64(int(n)) {
		i := int(n)
		code = &i
	}
	if s, ok := obj["text"].(string); ok {
		text = &s
	}
	if s, ok := obj["message"].(string); ok {
		message = &s
	}
	return code, text, message
}
