package contract_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/callcases/conformance/contract"
)

// The contract is loaded once per process and then validates every exchange:
// Load is paid once, the Validate benchmarks are paid per exchange.

// BenchmarkParseDocument is what the first LoadDocument of a process costs.
func BenchmarkParseDocument(b *testing.B) {
	for b.Loop() {
		if _, err := contract.ParseDocument(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad is a Contract for a target once the document is parsed.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := contract.Load(base); err != nil {
			b.Fatal(err)
		}
	}
}

const benchCase = `{"uuid":"abc123","id":"crm-42","title":"Ivanov I.I.","parent":{"uuid":"p1","title":"P"},"state":{"id":"new","title":"Новое"},` +
	`"priority":1,"comment":"","phoneNumbers":{"phoneNumber":[{"value":"8000000000","phoneNumberType":"HOME"}]},` +
	`"creationDate":"2016-10-18T09:58:24.594+03:00","lastModified":"2016-10-18T09:58:24.594+03:00","scheduledTime":null,"operator":null}`

var jsonHeader = http.Header{"Content-Type": {"application/json; charset=utf-8"}}

func mustLoad(b *testing.B) *contract.Contract {
	b.Helper()
	c, err := contract.Load(base)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkValidateRequest: the suite's most common write, a case create.
func BenchmarkValidateRequest(b *testing.B) {
	c := mustLoad(b)
	body := `{"uuid":"ccrun0000101000001","title":"conformance run: case","phoneNumbers":{"phoneNumber":[{"value":"8000000000","phoneNumberType":"HOME"}]}}`
	req := exchange("POST", "/json/callcases/?project=p1", "application/json", body)
	for b.Loop() {
		if err := c.ValidateRequest(req, []byte(body)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateResponse: a case read, the suite's most common answer.
func BenchmarkValidateResponse(b *testing.B) {
	c := mustLoad(b)
	req := exchange("GET", "/json/callcases/abc123", "", "")
	for b.Loop() {
		if err := c.ValidateResponse(req, nil, 200, jsonHeader, []byte(benchCase)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateExchange: a create and its 201 status body, request and response.
func BenchmarkValidateExchange(b *testing.B) {
	c := mustLoad(b)
	body := `{"uuid":"ccrun0000101000001","title":"conformance run: case"}`
	req := exchange("POST", "/json/callcases/?project=p1", "application/json", body)
	header := jsonHeader.Clone()
	header.Set("Location", "/fx/api/v1/json/callcases/ccrun0000101000001")
	created := []byte(`{"code":201,"text":"Created","message":"Ресурс был создан успешно"}`)
	for b.Loop() {
		if err := c.ValidateExchange(req, []byte(body), 201, header, created); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateListPage: the largest read answer, a full page of 100 cases.
func BenchmarkValidateListPage(b *testing.B) {
	c := mustLoad(b)
	page := fmt.Sprintf(`{"page":1,"count":150,"callcase":[%s]}`, strings.TrimSuffix(strings.Repeat(benchCase+",", 100), ","))
	req := exchange("GET", "/json/callcases/?project=p1&page=1", "", "")
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if err := c.ValidateExchange(req, nil, 200, jsonHeader, []byte(page)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateBatch1000: the largest request, a batch create of 1000 cases.
func BenchmarkValidateBatch1000(b *testing.B) {
	c := mustLoad(b)
	items := make([]string, 1000)
	for i := range items {
		items[i] = fmt.Sprintf(`{"uuid":"ccrun%013d","id":"conformance run-%06d","title":"one of many"}`, i, i)
	}
	body := `{"callcase":[` + strings.Join(items, ",") + `]}`
	req := exchange("POST", "/json/projects/p1/callcases-batch/", "application/json", body)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := c.ValidateRequest(req, []byte(body)); err != nil {
			b.Fatal(err)
		}
	}
}

// The XML benchmarks validate the same exchanges as the JSON ones above,
// written as XML by EncodeXML: XML validation per exchange should stay
// within twice JSON's.

var xmlHeader = http.Header{"Content-Type": {"application/xml; charset=utf-8"}}

func asXML(b *testing.B, c *contract.Contract, schema string, body string) string {
	b.Helper()
	x, err := contract.EncodeXML(c.Document().Components.Schemas[schema], json.RawMessage(body))
	if err != nil {
		b.Fatal(err)
	}
	return string(x)
}

func BenchmarkValidateRequestXML(b *testing.B) {
	c := mustLoad(b)
	body := asXML(b, c, "CallCaseCreate", `{"uuid":"ccrun0000101000001","title":"conformance run: case","phoneNumbers":{"phoneNumber":[{"value":"8000000000","phoneNumberType":"HOME"}]}}`)
	req := exchange("POST", "/xml/callcases/?project=p1", "application/xml", body)
	for b.Loop() {
		if err := c.ValidateRequest(req, []byte(body)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateResponseXML(b *testing.B) {
	c := mustLoad(b)
	body := []byte(asXML(b, c, "CallCase", benchCase))
	req := exchange("GET", "/xml/callcases/abc123", "", "")
	for b.Loop() {
		if err := c.ValidateResponse(req, nil, 200, xmlHeader, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateExchangeXML(b *testing.B) {
	c := mustLoad(b)
	body := asXML(b, c, "CallCaseCreate", `{"uuid":"ccrun0000101000001","title":"conformance run: case"}`)
	req := exchange("POST", "/xml/callcases/?project=p1", "application/xml", body)
	header := xmlHeader.Clone()
	header.Set("Location", "/fx/api/v1/xml/callcases/ccrun0000101000001")
	created := []byte(asXML(b, c, "Status", `{"code":201,"text":"Created","message":"Ресурс был создан успешно"}`))
	for b.Loop() {
		if err := c.ValidateExchange(req, []byte(body), 201, header, created); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateListPageXML(b *testing.B) {
	c := mustLoad(b)
	page := asXML(b, c, "CallCaseList", fmt.Sprintf(`{"page":1,"count":150,"callcase":[%s]}`, strings.TrimSuffix(strings.Repeat(benchCase+",", 100), ",")))
	req := exchange("GET", "/xml/callcases/?project=p1&page=1", "", "")
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if err := c.ValidateExchange(req, nil, 200, xmlHeader, []byte(page)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateBatch1000XML(b *testing.B) {
	c := mustLoad(b)
	items := make([]string, 1000)
	for i := range items {
		items[i] = fmt.Sprintf(`{"uuid":"ccrun%013d","id":"conformance run-%06d","title":"one of many"}`, i, i)
	}
	body := asXML(b, c, "BatchCreate", `{"callcase":[`+strings.Join(items, ",")+`]}`)
	req := exchange("POST", "/xml/projects/p1/callcases-batch/", "application/xml", body)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := c.ValidateRequest(req, []byte(body)); err != nil {
			b.Fatal(err)
		}
	}
}
