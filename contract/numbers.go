package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// UnmarshalJSON decodes a JSON body into v as encoding/json does, except
// that an integer may be written with a zero fraction (1.0) or an exponent
// (1e0), as JSON Schema counts it: an int field reads the value, not its
// spelling. A body whose numbers are all written plainly is decoded once.
func UnmarshalJSON(body []byte, v any) error {
	err := json.Unmarshal(body, v)
	var te *json.UnmarshalTypeError
	if err == nil || !errors.As(err, &te) || !strings.HasPrefix(te.Value, "number") {
		return err
	}
	plain, ok := plainIntegers(body)
	if !ok {
		return err
	}
	return json.Unmarshal(plain, v)
}

// exactInteger is s, a JSON number written with a fraction or an exponent,
// as a plain integer when its value is one within JSON's exact range
// (magnitude up to 2^53); exponents of over three digits are left alone, so
// that no spelling costs more than a small computation.
func exactInteger(s string) (string, bool) {
	mantissa, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	if !hasExp && !strings.Contains(mantissa, ".") || len(strings.TrimLeft(exp, "+-")) > 3 {
		return "", false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || !r.IsInt() || r.Num().CmpAbs(big.NewInt(1<<53)) > 0 {
		return "", false
	}
	return r.Num().String(), true
}

// plainIntegers rewrites every number of a JSON text that is an integer
// written otherwise (1.0, 1e0, 10E-1) as the plain integer; false when the
// text does not parse or holds no such number.
func plainIntegers(body []byte) ([]byte, bool) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var out bytes.Buffer
	changed := false
	// Tokens are re-joined as JSON: keys and values, separators by position.
	type frame struct {
		object bool
		n      int
	}
	var stack []frame
	sep := func() {
		if len(stack) == 0 {
			return
		}
		f := &stack[len(stack)-1]
		switch {
		case f.object && f.n%2 == 1:
			out.WriteByte(':')
		case f.n > 0:
			out.WriteByte(',')
		}
		f.n++
	}
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF && len(stack) == 0 {
				return out.Bytes(), changed
			}
			return nil, false
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				sep()
				out.WriteByte(byte(t))
				stack = append(stack, frame{object: t == '{'})
			default:
				out.WriteByte(byte(t))
				stack = stack[:len(stack)-1]
			}
		case json.Number:
			sep()
			s := t.String()
			if i, ok := exactInteger(s); ok {
				s = i
				changed = true
			}
			out.WriteString(s)
		default:
			sep()
			b, _ := json.Marshal(t)
			out.Write(b)
		}
	}
}

// ParseDate reads a date the API wrote: RFC 3339 with an offset, with T
// and Z in either case as RFC 3339 allows (Go's time.Parse takes them upper
// case only), any fraction.
func ParseDate(s string) (time.Time, error) {
	if len(s) > 10 && s[10] == 't' {
		s = s[:10] + "T" + s[11:]
	}
	if strings.HasSuffix(s, "z") {
		s = s[:len(s)-1] + "Z"
	}
	return time.Parse(time.RFC3339Nano, s)
}

// RFC 3339 allows t and z in lower case; kin-openapi's date-time format
// takes them upper case only. The date-time format is checked as kin-openapi
// does (the pattern, then the day within its month), in either case.
func init() {
	stock := openapi3.FormatOfStringDateTime
	either := strings.NewReplacer("T(", "[Tt](", "(Z|", "([Zz]|").Replace(stock)
	re := regexp.MustCompile(either)
	openapi3.DefineStringFormatValidator("date-time", openapi3.NewCallbackValidator(func(value string) error {
		if !re.MatchString(value) {
			return fmt.Errorf("string doesn't match pattern %q", either)
		}
		_, err := time.Parse(time.DateOnly, value[:len(time.DateOnly)])
		return err
	}))
}
