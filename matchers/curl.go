package matchers

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/callcases/conformance/client"
)

// curlBody is the largest request body the curl command carries inline; a
// larger one (a batch of 1001 cases) is named, not pasted.
const curlBody = 4 << 10

// Curl is a shell command that sends the exchange's request again, or ""
// when the request was never built. Credentials are never in it: for Basic
// credentials it names the user and curl asks for the password; any other
// Authorization header is shown with its credentials redacted.
func Curl(x *client.Exchange) string {
	req := x.HTTPRequest
	if req == nil {
		return ""
	}
	args := []string{"curl", "-sS", "-i", "-X", req.Method}
	if user, _, ok := req.BasicAuth(); ok {
		args = append(args, "-u", quote(user))
	} else if auth := req.Header.Get("Authorization"); auth != "" {
		scheme, _, _ := strings.Cut(auth, " ")
		args = append(args, "-H", quote("Authorization: "+scheme+" "+client.Redacted))
	}
	keys := make([]string, 0, len(req.Header))
	for k := range req.Header {
		switch k {
		case "Authorization", "User-Agent", "Content-Length", "Accept-Encoding":
		default:
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range req.Header[k] {
			args = append(args, "-H", quote(k+": "+v))
		}
	}
	var note string
	switch body := x.RequestBody; {
	case len(body) == 0:
	case len(body) > curlBody || !utf8.Valid(body):
		args = append(args, "--data-binary", "@request-body")
		note = fmt.Sprintf("  # request-body: the %d bytes sent, of which the exchange above shows the start", len(body))
	default:
		args = append(args, "--data-binary", quote(string(body)))
	}
	args = append(args, quote(req.URL.String()))
	return strings.Join(args, " ") + note
}

// quote makes s one shell word, in single quotes, redacted first: a secret
// quoted for the shell would no longer match what the reports scrub.
func quote(s string) string {
	s = client.Redact(s, Secrets()...)
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
