package reference

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxBody is the largest request body accepted (docs/rules.md: over 16 MiB is 400).
const maxBody = 16 << 20

// readJSON returns the body of a request that must carry JSON whatever its
// path (the fault hook's): the media type must be application/json, the
// body at most maxBody bytes and a JSON object. Its members come back
// undecoded so that each caller decides which ones it knows; keys match
// exactly, unlike encoding/json's struct matching.
func readJSON(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, *failure) {
	return readAs(jsonCodec, w, r, nil)
}

// readBody returns the members of an API request's body in the format of
// its path: JSON's members, or an XML body's elements read as those members.
func readBody(w http.ResponseWriter, r *http.Request, shape *requestBody) (map[string]json.RawMessage, *failure) {
	return readAs(codecOf(w), w, r, shape)
}

func readAs(c *codec, w http.ResponseWriter, r *http.Request, shape *requestBody) (map[string]json.RawMessage, *failure) {
	if f := requireMediaType(r, c.mediaTypes...); f != nil {
		return nil, f
	}
	limited := http.MaxBytesReader(w, r.Body, maxBody)
	if r.ContentLength > maxBody {
		// Declared too large: read through, keeping nothing, so that the
		// client finishes sending before it reads the 400.
		_, _ = io.Copy(io.Discard, limited)
		return nil, fail(http.StatusBadRequest, "the body is over %d bytes", maxBody)
	}
	body, err := io.ReadAll(limited)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, fail(http.StatusBadRequest, "the body is over %d bytes", maxBody)
		}
		return nil, fail(http.StatusBadRequest, "the body could not be read")
	}
	// encoding/json would store U+FFFD for each bad byte: a body that is not
	// well-formed UTF-8 is refused in either format (docs/rules.md, strings).
	if !utf8.Valid(body) {
		return nil, fail(http.StatusBadRequest, "the body is not well-formed UTF-8")
	}
	return c.decode(body, shape)
}

// decodeObject parses raw as one JSON object; null, arrays and scalars are not objects.
func decodeObject(raw []byte, what string) (map[string]json.RawMessage, *failure) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		return nil, fail(http.StatusBadRequest, "%s is not a JSON object", what)
	}
	return members, nil
}

// requireMediaType checks the declared type of a body (any case,
// parameters allowed): a body in another format is a bad request.
func requireMediaType(r *http.Request, want ...string) *failure {
	got, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(want, got) {
		return fail(http.StatusBadRequest, "the Content-Type must be %s", strings.Join(want, " or "))
	}
	return nil
}

// readForm returns the fields of a form body (application/x-www-form-urlencoded).
// Query parameters are not form fields.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, *failure) {
	if f := requireMediaType(r, "application/x-www-form-urlencoded"); f != nil {
		return nil, f
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return nil, fail(http.StatusBadRequest, "the form body does not parse")
	}
	return r.PostForm, nil
}

// readQuery parses the query strictly: a malformed one is a bad request,
// where url.URL.Query would silently drop the broken pairs.
func readQuery(r *http.Request) (url.Values, *failure) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fail(http.StatusBadRequest, "the query string does not parse")
	}
	return q, nil
}

// isNull tells a member that is absent or JSON null: both mean "not given".
func isNull(raw json.RawMessage) bool {
	return raw == nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// stringMember decodes an optional string member; nil when not given.
func stringMember(members map[string]json.RawMessage, name string) (*string, *failure) {
	raw := members[name]
	if isNull(raw) {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fail(http.StatusBadRequest, "%q must be a string", name)
	}
	return &s, nil
}

// stringList decodes an optional array of strings; nil when not given. An
// item that is not a string, null included, is 400: encoding/json would
// read a null item as "".
func stringList(members map[string]json.RawMessage, name string) ([]string, bool, *failure) {
	raw := members[name]
	if isNull(raw) {
		return nil, false, nil
	}
	bad := fail(http.StatusBadRequest, "%q must be an array of strings", name)
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, false, bad
	}
	list := make([]string, len(items))
	for i, item := range items {
		if !bytes.HasPrefix(bytes.TrimSpace(item), []byte(`"`)) || json.Unmarshal(item, &list[i]) != nil {
			return nil, false, bad
		}
	}
	return list, true, nil
}

// pageShape: a page is digits only, no sign, no space, no fraction (docs/rules.md, lists).
var pageShape = regexp.MustCompile(`^[0-9]+$`)

// parsePage reads a list's page: digits, at least 1. Digits past an int's
// range are no integer of the contract's either.
func parsePage(v string) (int, bool) {
	if !pageShape.MatchString(v) {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1
}

// dateShape is the contract's QueryDate: time.Parse alone would also take
// a comma before the fraction, which RFC 3339 does not. T and Z may be
// lower-case, as RFC 3339 allows.
var dateShape = regexp.MustCompile(`^(\d{4})-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$`)

// parseDate reads a date as docs/rules.md allows: RFC 3339 with any offset, or a
// naive YYYY-MM-DDThh:mm:ss (an optional fraction) taken in the server's
// zone; the year as written is 0001 to 9999.
func parseDate(s string, loc *time.Location) (time.Time, bool) {
	m := dateShape.FindStringSubmatch(s)
	if m == nil || m[1] == "0000" {
		return time.Time{}, false
	}
	s = strings.ToUpper(s) // Go reads only the upper-case T and Z
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05", s, loc); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// dateLayout writes dates the way the product does: RFC 3339, milliseconds, offset.
const dateLayout = "2006-01-02T15:04:05.000Z07:00"
