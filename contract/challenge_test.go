package contract_test

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/callcases/conformance/contract"
)

func TestParseChallenges(t *testing.T) {
	type c = contract.Challenge
	p := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		lines []string
		want  []contract.Challenge
	}{
		{"basic", []string{`Basic realm="callcases"`}, []c{{Scheme: "Basic", Params: p("realm", "callcases")}}},
		{"scheme only", []string{`basic`}, []c{{Scheme: "basic"}}},
		{"RFC 9110's example", []string{`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`},
			[]c{{Scheme: "Newauth", Params: p("realm", "apps", "type", "1", "title", `Login to "apps"`)}, {Scheme: "Basic", Params: p("realm", "simple")}}},
		{"Basic first, then another", []string{`Basic realm="a", Bearer realm="b", error="invalid_token"`},
			[]c{{Scheme: "Basic", Params: p("realm", "a")}, {Scheme: "Bearer", Params: p("realm", "b", "error", "invalid_token")}}},
		{"several lines", []string{`Bearer realm="b"`, `Basic realm="a", charset="UTF-8"`},
			[]c{{Scheme: "Bearer", Params: p("realm", "b")}, {Scheme: "Basic", Params: p("realm", "a", "charset", "UTF-8")}}},
		{"a comma inside a quoted string", []string{`Bearer realm="a, Basic b", Basic`},
			[]c{{Scheme: "Bearer", Params: p("realm", "a, Basic b")}, {Scheme: "Basic"}}},
		{"token68", []string{`Negotiate YII=, Basic realm=x`},
			[]c{{Scheme: "Negotiate", Token68: "YII="}, {Scheme: "Basic", Params: p("realm", "x")}}},
		{"white space around '=' and empty list elements", []string{` , Basic realm = "x" ,, Digest nonce=1 ,`},
			[]c{{Scheme: "Basic", Params: p("realm", "x")}, {Scheme: "Digest", Params: p("nonce", "1")}}},
		{"parameter names are case-insensitive", []string{`Basic Realm="x"`}, []c{{Scheme: "Basic", Params: p("realm", "x")}}},
		{"a token68 that looks like a parameter", []string{`Basic realm=`}, []c{{Scheme: "Basic", Token68: "realm="}}},
		{"nothing", []string{""}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := contract.ParseChallenges(tc.lines...)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{`Basic realm="unclosed`, `Basic realm=x=`, `Basic realm="a" realm2="b"`, `Basic realm="a", realm="b"`,
		`"quoted"`, `Basic realm="a\`, "Basic realm=\"a\x01\"", `=x`, `Basic,realm`} {
		if got, err := contract.ParseChallenges(bad); err == nil && bad != `Basic,realm` {
			t.Errorf("%q parsed to %+v", bad, got)
		}
	}
	// "Basic,realm" is two challenges without parameters: valid, if odd.
	if got, err := contract.ParseChallenges(`Basic,realm`); err != nil || len(got) != 2 {
		t.Errorf("Basic,realm: %+v, %v", got, err)
	}
}

// openapi.yaml's pattern and the parser agree on whether one field line
// holds a Basic challenge.
func TestChallengePatternAgreesWithTheParser(t *testing.T) {
	doc, err := contract.LoadDocument()
	if err != nil {
		t.Fatal(err)
	}
	pattern := regexp.MustCompile(doc.Components.Headers["WWWAuthenticate"].Value.Schema.Value.Pattern)
	for _, line := range []string{
		`Basic`, `basic realm="x"`, `BASIC realm="x", charset="UTF-8"`, `Basic YWxhZGRpbjpvcGVuc2VzYW1l`,
		`Bearer realm="x", Basic realm="y"`, `Bearer, Basic`, `Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`,
		`Bearer realm="x, Basic y"`, `Bearer realm="Basic"`, `Bearer basic=1`, `Bearer basic = "1"`, `BasicAuth realm="x"`,
		`Bearer`, `Digest realm="a", qop="auth, auth-int", Basic`, `Bearer error="a\"b, Basic", Basic realm=x`, `Bearer realm="a\", Basic c"`,
	} {
		cs, err := contract.ParseChallenges(line)
		parsed := err == nil && contract.HasChallenge(cs, "Basic")
		if matched := pattern.MatchString(line); matched != parsed {
			t.Errorf("%q: the pattern says %v, the parser %v (%v)", line, matched, parsed, err)
		}
	}
}

func TestUnauthorizedChallenges(t *testing.T) {
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	const body = `{"code":401,"text":"Unauthorized","message":"Пользователь не авторизован"}`
	for _, tc := range []struct {
		name    string
		path    string
		lines   []string
		violate string
	}{
		{"Basic alone", "/json/callcases/abc", []string{`Basic realm="callcases"`}, ""},
		{"Basic after another, one line", "/json/callcases/abc", []string{`Bearer realm="x", Basic realm="callcases"`}, ""},
		{"Basic after another, two lines", "/json/callcases/abc", []string{`Bearer realm="x"`, `Basic realm="callcases"`}, ""},
		{"Basic before another, two lines", "/json/callcases/abc", []string{`Basic realm="callcases"`, `Bearer realm="x"`}, ""},
		{"RFC 9110's example", "/json/callcases/abc", []string{`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`}, ""},
		{"off the map, Basic second", "/json/nowhere", []string{`Bearer`, `Basic realm="callcases"`}, ""},
		{"no challenge", "/json/callcases/abc", nil, contract.TitleNoChallenge},
		{"no Basic", "/json/callcases/abc", []string{`Bearer realm="x"`}, contract.TitleNoBasicChallenge},
		{"Basic only inside a quoted string", "/json/callcases/abc", []string{`Bearer realm="x, Basic y"`}, contract.TitleNoBasicChallenge},
		{"off the map, no Basic", "/json/nowhere", []string{`Bearer`}, contract.TitleNoBasicChallenge},
		{"malformed", "/json/callcases/abc", []string{`Basic realm="x`}, contract.TitleChallengeSyntax + `: WWW-Authenticate "Basic realm=\"x": at 12: the quoted string is not closed`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {"application/json"}}
			for _, l := range tc.lines {
				h.Add("WWW-Authenticate", l)
			}
			err := c.ValidateResponse(exchange("GET", tc.path, "", ""), nil, 401, h, []byte(body))
			switch {
			case tc.violate == "" && err != nil:
				t.Fatalf("conforming response rejected: %v", err)
			case tc.violate != "" && err == nil:
				t.Fatalf("violation %q not detected", tc.violate)
			case tc.violate != "" && !strings.Contains(err.Error(), tc.violate):
				t.Fatalf("violation should mention %q: %v", tc.violate, err)
			case tc.violate != "" && strings.Count(err.Error(), "\n  - ") != 1:
				t.Fatalf("one broken rule, said once: %v", err)
			}
		})
	}
}

// A 401 without its challenge still has its body checked.
func TestUnauthorizedWithoutChallengeStillChecksTheBody(t *testing.T) {
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	err = c.ValidateResponse(exchange("GET", "/json/callcases/abc", "", ""), nil, 401, h, []byte(`{"code":401,"text":"Unauthorized","message":"Пользователь не авторизован","detail":1}`))
	if err == nil || !strings.Contains(err.Error(), "WWW-Authenticate") || !strings.Contains(err.Error(), "detail") {
		t.Fatalf("want the missing challenge and the wrong member reported: %v", err)
	}
}
