package client_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
)

const xmlCase = `<?xml version="1.0" encoding="UTF-8"?><callcase><uuid>u1</uuid><id>crm-42</id><title>T</title>` +
	`<parent><uuid>p1</uuid><title>P</title></parent><state><id>new</id><title>Новое</title></state>` +
	`<priority>3</priority><comment/><phoneNumbers><phoneNumber phoneNumberType="HOME">8000000000</phoneNumber></phoneNumbers>` +
	`<creationDate>2016-10-18T09:58:24.594+03:00</creationDate><lastModified>2016-10-18T09:58:24.594+03:00</lastModified></callcase>`

type seen struct {
	contentType, accept, body string
}

// xmlTarget answers the exchanges these tests make, in XML, and records the
// last request it got.
func xmlTarget(t *testing.T, last *seen) (*client.Client, func()) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*last = seen{r.Header.Get("Content-Type"), r.Header.Get("Accept"), string(b)}
		status, body := 404, `<status><code>404</code><text>Not Found</text><message>Объект или один из параметров запроса не найден</message></status>`
		switch r.Method + " " + r.URL.Path {
		case "POST /fx/api/v1/xml/callcases/":
			w.Header().Set("Location", "http://"+r.Host+"/fx/api/v1/xml/callcases/u1")
			status, body = 201, `<status><code>201</code><text>Created</text><message>Ресурс был создан успешно</message></status>`
		case "GET /fx/api/v1/xml/callcases/u1":
			status, body = 200, xmlCase
		case "GET /fx/api/v1/xml/projects/p1/callcases/twice":
			status, body = 300, `<status><code>300</code><text>Multiple Choices</text><message>Ошибка возникает если найдено более одного кейса с одинаковым внешним идентификатором</message><uuids><uuid>a</uuid><uuid>b</uuid></uuids></status>`
		case "DELETE /fx/api/v1/xml/projects/p1/callcases-batch/":
			status, body = 200, `<status><code>200</code><text>OK</text><message>Запрос выполнен успешно</message><result>`+
				`<item><id>e1</id><uuid>a</uuid><code>200</code><text>OK</text><message>Запрос выполнен успешно</message></item>`+
				`<item><id>e2</id><code>404</code><text>Not Found</text><message>Объект или один из параметров запроса не найден</message></item></result></status>`
		case "POST /fx/api/v1/json/callcases/":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Location", "/fx/api/v1/json/callcases/u1")
			w.WriteHeader(201)
			io.WriteString(w, `{"code":201,"text":"Created","message":"Ресурс был создан успешно"}`)
			return
		}
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	c, err := contract.Load(srv.URL + "/fx/api/v1")
	if err != nil {
		t.Fatal(err)
	}
	api, err := client.New(client.Options{Base: srv.URL + "/fx/api/v1", Contract: c, User: client.Credentials{Username: "u", Password: "p"}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return api, srv.Close
}

func ok(t *testing.T, x *client.Exchange) {
	t.Helper()
	if x.Err != nil || len(x.Violations) > 0 {
		t.Fatalf("exchange failed:\n%s", x.Format())
	}
}

// One request value goes out as XML under /xml/ and as JSON under /json/.
func TestRequestBodyByFormat(t *testing.T) {
	var last seen
	api, done := xmlTarget(t, &last)
	defer done()
	ctx := context.Background()
	body := map[string]any{"uuid": "u1", "title": "T", "phoneNumbers": map[string]any{"phoneNumber": []map[string]any{{"value": "8", "phoneNumberType": "HOME"}}}}
	query := map[string][]string{"project": {"p1"}}

	x := api.Do(ctx, client.Request{Method: "POST", Path: "/xml/callcases/", Query: query, JSON: body})
	ok(t, x)
	const want = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><callcase><phoneNumbers><phoneNumber phoneNumberType="HOME">8</phoneNumber></phoneNumbers><title>T</title><uuid>u1</uuid></callcase>`
	if last.contentType != "application/xml" || last.body != want || !strings.HasPrefix(last.accept, "application/xml") {
		t.Fatalf("the target got %+v, want application/xml %s", last, want)
	}
	sb, err := x.StatusBody()
	if err != nil || sb.Code == nil || *sb.Code != 201 || *sb.Message != "Ресурс был создан успешно" {
		t.Fatalf("status body %+v, %v", sb, err)
	}

	x = api.Do(ctx, client.Request{Method: "POST", Path: "/json/callcases/", Query: query, JSON: body})
	ok(t, x)
	if last.contentType != "application/json" || !strings.HasPrefix(last.body, `{"phoneNumbers":`) || !strings.HasPrefix(last.accept, "application/json") {
		t.Fatalf("the target got %+v, want JSON", last)
	}

	x = api.Do(ctx, client.Request{Method: "GET", Path: "/xml/callcases/u1", JSON: body})
	if x.Err == nil || !strings.Contains(x.Err.Error(), "takes no body") {
		t.Fatalf("a body for an operation without one: %v", x.Err)
	}
}

// Answers in XML are read into the values JSON would give.
func TestDecodeXMLAnswers(t *testing.T) {
	var last seen
	api, done := xmlTarget(t, &last)
	defer done()
	ctx := context.Background()

	x := api.Do(ctx, client.Request{Method: "GET", Path: "/xml/callcases/u1"})
	ok(t, x)
	var c struct {
		UUID     string
		ID       *string
		Title    string
		State    struct{ ID string }
		Priority int
		Comment  *string
		Phones   struct {
			PhoneNumber []struct{ Value, PhoneNumberType string }
		} `json:"phoneNumbers"`
		ScheduledTime *string
	}
	if err := x.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if c.UUID != "u1" || *c.ID != "crm-42" || c.State.ID != "new" || c.Priority != 3 || c.Comment == nil || *c.Comment != "" ||
		len(c.Phones.PhoneNumber) != 1 || c.Phones.PhoneNumber[0].Value != "8000000000" || c.Phones.PhoneNumber[0].PhoneNumberType != "HOME" || c.ScheduledTime != nil {
		t.Fatalf("decoded %+v", c)
	}

	x = api.Do(ctx, client.Request{Method: "GET", Path: "/xml/projects/p1/callcases/twice"})
	ok(t, x)
	sb, err := x.StatusBody()
	if err != nil || *sb.Code != 300 || strings.Join(sb.UUIDs, ",") != "a,b" {
		t.Fatalf("300: %+v, %v", sb, err)
	}

	x = api.Do(ctx, client.Request{Method: "DELETE", Path: "/xml/projects/p1/callcases-batch/", JSON: map[string]any{"id": []string{"e1", "e2"}}})
	ok(t, x)
	if last.body != `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><objectLinks><id>e1</id><id>e2</id></objectLinks>` {
		t.Fatalf("batch delete sent %s", last.body)
	}
	sb, err = x.StatusBody()
	if err != nil || len(sb.Result) != 2 || *sb.Result[0].UUID != "a" || sb.Result[1].UUID != nil || sb.Result[1].Code != 404 {
		t.Fatalf("batch: %+v, %v", sb, err)
	}

	x = api.Do(ctx, client.Request{Method: "GET", Path: "/xml/nowhere", OffContract: true})
	ok(t, x)
	sb, err = x.StatusBody()
	if err != nil || *sb.Code != 404 || *sb.Text != "Not Found" {
		t.Fatalf("off the map: %+v, %v", sb, err)
	}
	if err := x.Decode(&c); err == nil {
		t.Fatal("an answer off the map decoded as a resource")
	}
}
