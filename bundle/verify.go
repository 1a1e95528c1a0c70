package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	conformance "github.com/callcases/conformance"
	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/report"
)

// Check is what Verify found: a line per thing it checked, and a line per
// problem. A bundle is accepted only without problems.
type Check struct {
	Checked  []string
	Problems []string
}

func (c *Check) checked(format string, args ...any) {
	c.Checked = append(c.Checked, fmt.Sprintf(format, args...))
}

func (c *Check) problem(format string, args ...any) {
	c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
}

// VerifyOptions say what a bundle must show.
type VerifyOptions struct {
	// Formats every condition must have passed in; nil means every format
	// the bundle's result.json lists, and at least json.
	Formats []string
	// Suite is the verifier's own version, which the bundle's must equal.
	Suite report.Version
}

// Verify checks a bundle (result.json and exchanges.har in dir) offline:
// that it was made with this suite's contract and code table and version,
// that every catalogue condition of the required formats passed, that every
// exchange of the HAR keeps the contract and the code table (validated
// again here, not taken from the bundle), and that each passed condition has
// exchanges that answered the code it certifies.
func Verify(dir string, opts VerifyOptions) Check {
	var c Check
	var res report.Result
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err == nil {
		err = json.Unmarshal(b, &res)
	}
	if err != nil {
		c.problem("result.json: %v", err)
		return c
	}
	if res.Schema != report.ResultSchema {
		c.problem("result.json: schema %q, this verifier reads %q", res.Schema, report.ResultSchema)
	}
	c.checked("result.json: run %s against %s, verdict %s, %d entries", res.RunID, res.Target, res.Verdict, len(res.Results))

	verifyDigests(&c, res)
	if got, want := res.Suite.String(), opts.Suite.String(); got != want {
		c.problem("suite version: the bundle was made with %s %s; this verifier is %s: verify it with the version that made it, or run again with this one", res.Suite.Module, got, want)
	} else {
		c.checked("suite version: %s, the same as this verifier's", got)
	}
	for _, e := range res.RunErrors {
		c.problem("run error recorded: %s", e)
	}
	verifyOutcomes(&c, res, opts.Formats)

	raw, err := os.ReadFile(filepath.Join(dir, HARFile))
	if err != nil {
		c.problem("%s: %v", HARFile, err)
		return c
	}
	if problems := CheckHAR(raw); len(problems) > 0 {
		for _, p := range problems {
			c.problem("%s is not a HAR 1.2 file: %s", HARFile, p)
		}
		return c
	}
	var h HAR
	if err := json.Unmarshal(raw, &h); err != nil {
		c.problem("%s: %v", HARFile, err)
		return c
	}
	c.checked("%s: a HAR 1.2 file of %d exchanges", HARFile, len(h.Log.Entries))
	if h.Log.RunID != res.RunID {
		c.problem("%s: made by run %q, but result.json is run %q", HARFile, h.Log.RunID, res.RunID)
	}
	verifyExchanges(&c, res, h)
	verifyEvidence(&c, res, h)
	verifyCoverage(&c, res, h)
	return c
}

// verifyCoverage checks every cell of the coverage matrix that result.json
// says passed: some spec of its format must have an exchange with that
// operation that answered that code.
func verifyCoverage(c *Check, res report.Result, h HAR) {
	type key struct {
		format, operation string
	}
	byOperation := map[key][]*Entry{}
	for _, e := range h.Log.Entries {
		if e.Condition != "" && e.Operation != "" {
			k := key{e.Format, e.Operation}
			byOperation[k] = append(byOperation[k], e)
		}
	}
	shown, cells := 0, 0
	for _, t := range res.Coverage {
		for _, row := range t.Rows {
			for _, cell := range row.Cells {
				if cell.Outcome != report.Passed {
					continue
				}
				cells++
				if slices.ContainsFunc(byOperation[key{t.Format, row.Operation}], func(e *Entry) bool { return answered(e, cell.Code) }) {
					shown++
					continue
				}
				c.problem("coverage (%s): %s answering %d is marked passed, but no exchange in %s shows it", t.Format, row.Operation, cell.Code, HARFile)
			}
		}
	}
	if cells > 0 {
		c.checked("%s: %d of %d passed cells of the coverage matrix have an exchange of that operation answering that code", HARFile, shown, cells)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func verifyDigests(c *Check, res report.Result) {
	for _, d := range []struct{ name, got, want string }{
		{"openapi.yaml", res.Contract.OpenAPISHA256, sha256Hex(conformance.OpenAPI)},
		{"the result-code table", res.Contract.ResultCodesSHA256, sha256Hex(conformance.ResultCodes)},
	} {
		if d.got != d.want {
			c.problem("digest of %s: the bundle's is %q, this verifier's is %s: the run enforced another contract", d.name, d.got, d.want)
			continue
		}
		c.checked("digest of %s: %s, the same as this verifier's", d.name, d.want)
	}
}

func verifyOutcomes(c *Check, res report.Result, formats []string) {
	if len(formats) == 0 {
		formats = slices.Clone(res.Formats)
		if !slices.Contains(formats, "json") {
			formats = append([]string{"json"}, formats...)
		}
	}
	type key struct{ id, format string }
	got := map[key]report.ResultEntry{}
	for _, e := range res.Results {
		got[key{e.ID, e.Format}] = e
	}
	for _, f := range formats {
		passed, bad := 0, 0
		for _, cond := range catalogue.All() {
			e, ok := got[key{cond.ID, f}]
			switch {
			case !ok:
				c.problem("%s (%s): not in result.json", cond.ID, f)
				bad++
			case e.Outcome != report.Passed:
				c.problem("%s (%s): %s: %s", cond.ID, f, e.Outcome, e.Reason)
				bad++
			default:
				passed++
			}
		}
		c.checked("conditions in format %s: %d of %d passed", f, passed, passed+bad)
	}
}

// verifyExchanges validates every exchange with the API again.
func verifyExchanges(c *Check, res report.Result, h HAR) {
	ct, err := contract.Load(res.Target)
	if err != nil {
		c.problem("the contract for target %q: %v", res.Target, err)
		return
	}
	base := strings.TrimSuffix(res.Target, "/") + "/"
	var api, other, failed, cut, broken int
	for i, e := range h.Log.Entries {
		switch {
		case !strings.HasPrefix(e.Request.URL, base):
			other++ // the fault hook: not the API
			continue
		case e.Error != "" || e.Response.Status == 0:
			failed++
			continue
		case e.Cut():
			cut++
			continue
		}
		api++
		if v := revalidate(ct, e); len(v) > 0 {
			broken++
			c.problem("%s entry %d (%s): %s %s answered %d, which breaks the contract: %s",
				HARFile, i, where(e), e.Request.Method, e.Request.URL, e.Response.Status, strings.Join(v, "; "))
		}
	}
	c.checked("%s: %d exchanges with the API validated again against openapi.yaml and the code table, %d broke them", HARFile, api, broken)
	if other+failed+cut > 0 {
		c.checked("%s: not validated: %d with the fault hook, %d without an answer, %d cut (a body or a header over the caps)", HARFile, other, failed, cut)
	}
}

func where(e *Entry) string {
	if e.Condition == "" {
		return cmpOr(e.Phase, "outside any spec")
	}
	return e.Condition + " " + e.Format
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// revalidate rebuilds the exchange from the HAR and holds it to the
// contract as the suite's client did.
func revalidate(ct *contract.Contract, e *Entry) []string {
	var reqBody []byte
	if e.Request.PostData != nil {
		var err error
		if reqBody, err = body(e.Request.PostData.Text, e.Request.PostData.Encoding); err != nil {
			return []string{"request body: " + err.Error()}
		}
	}
	req, err := http.NewRequest(e.Request.Method, e.Request.URL, bytes.NewReader(reqBody))
	if err != nil {
		return []string{"request: " + err.Error()}
	}
	for _, h := range e.Request.Headers {
		v := h.Value
		if strings.EqualFold(h.Name, "Authorization") && v == "Basic "+client.Redacted {
			// Redacted in the bundle; the contract asks only that Basic credentials are there.
			v = "Basic " + base64.StdEncoding.EncodeToString([]byte("redacted:redacted"))
		}
		req.Header.Add(h.Name, v)
	}
	header := http.Header{}
	for _, h := range e.Response.Headers {
		header.Add(h.Name, h.Value)
	}
	respBody, err := body(e.Response.Content.Text, e.Response.Content.Encoding)
	if err != nil {
		return []string{"response body: " + err.Error()}
	}
	if e.OffContract {
		err = ct.ValidateResponse(req, reqBody, e.Response.Status, header, respBody)
	} else {
		err = ct.ValidateExchange(req, reqBody, e.Response.Status, header, respBody)
	}
	var v contract.Violations
	if errors.As(err, &v) {
		return violationLines(v)
	}
	if err != nil {
		return []string{err.Error()}
	}
	return nil
}

// verifyEvidence checks that each passed condition has exchanges, one of
// which answered the code the condition certifies (as the HTTP status, or
// as the code of a batch item).
func verifyEvidence(c *Check, res report.Result, h HAR) {
	type key struct{ id, format string }
	byCondition := map[key][]*Entry{}
	for _, e := range h.Log.Entries {
		byCondition[key{e.Condition, e.Format}] = append(byCondition[key{e.Condition, e.Format}], e)
	}
	shown := 0
	for _, r := range res.Results {
		if r.Outcome != report.Passed {
			continue
		}
		entries := byCondition[key{r.ID, r.Format}]
		if len(entries) == 0 {
			c.problem("%s (%s) passed, but %s has no exchange of it", r.ID, r.Format, HARFile)
			continue
		}
		if !slices.ContainsFunc(entries, func(e *Entry) bool { return answered(e, r.Code) }) {
			c.problem("%s (%s) passed, but none of its %d exchanges in %s answered %d", r.ID, r.Format, len(entries), HARFile, r.Code)
			continue
		}
		shown++
	}
	c.checked("%s: %d passed conditions each have an exchange that answered the code they certify", HARFile, shown)
}

func answered(e *Entry, code int) bool {
	if e.Error != "" {
		return false
	}
	if e.Response.Status == code {
		return true
	}
	if e.Response.Content.Truncated { // cut: the codes were read from the whole body
		return slices.Contains(e.Response.Content.ItemCodes, code)
	}
	b, err := body(e.Response.Content.Text, e.Response.Content.Encoding)
	if err != nil {
		return false
	}
	return slices.Contains(itemCodes(b), code)
}

// itemCodes are the codes of a batch answer's items, from its JSON status
// body or its XML one (<status><result><item><code>), read by value: 209,
// 209.0 and 2.09e2 are one code.
func itemCodes(b []byte) []int {
	var asJSON struct {
		Result []struct {
			Code int `json:"code"`
		} `json:"result"`
	}
	var asXML struct {
		XMLName xml.Name `xml:"status"`
		Items   []struct {
			Code string `xml:"code"`
		} `xml:"result>item"`
	}
	var codes []int
	switch {
	case contract.UnmarshalJSON(b, &asJSON) == nil:
		for _, it := range asJSON.Result {
			codes = append(codes, it.Code)
		}
	case xml.Unmarshal(b, &asXML) == nil:
		for _, it := range asXML.Items {
			var code int
			if contract.UnmarshalJSON([]byte(strings.TrimSpace(it.Code)), &code) == nil {
				codes = append(codes, code)
			}
		}
	}
	return codes
}
