package reference

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"
)

// caseFields are the client-managed members of a CallCase body; a nil field
// was not given (absent or null). Server-managed members (parent, state,
// dates, operator) are never read, so they are ignored whatever they hold.
type caseFields struct {
	uuid, id, title, comment *string
	priority                 *int64
	phones                   *[]phoneNumber
}

// uuidShape is the shape of every uuid (docs/rules.md, identifiers; the contract's Uuid): one
// a client may choose, and one a request names in a body or query.
var uuidShape = regexp.MustCompile(`^[0-9a-z]{1,64}$`)

const maxExtID = 255 // characters

// validExtID: an external id is 1 to maxExtID characters that XML 1.0 can
// carry, so that it reads the same in both formats.
func validExtID(id string) bool {
	return id != "" && utf8.RuneCountInString(id) <= maxExtID && xmlText(id)
}

// xmlText tells a string every character of which XML 1.0 can carry.
func xmlText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
	}
	return true
}

// textMember decodes an optional string member that a case stores: it
// holds only characters XML 1.0 can carry (docs/rules.md, strings), so a
// control character other than tab, CR and LF is 400 in JSON too, where
// XML could never carry it.
func textMember(members map[string]json.RawMessage, name string) (*string, *failure) {
	s, f := stringMember(members, name)
	if f == nil && s != nil && (!xmlText(*s) || loneSurrogate(members[name])) {
		f = fail(http.StatusBadRequest, "%q holds a character XML 1.0 cannot carry", name)
	}
	return s, f
}

// loneSurrogate tells a JSON string with a \u escape of half a surrogate
// pair alone: it names no character XML can carry (XML's &#xD800; is no
// character reference either), and encoding/json would read it as U+FFFD.
func loneSurrogate(raw []byte) bool {
	hex4 := func(i int) (uint64, bool) { // the four digits of a \u escape whose u is at i
		if i+4 >= len(raw) || raw[i] != 'u' {
			return 0, false
		}
		r, err := strconv.ParseUint(string(raw[i+1:i+5]), 16, 32)
		return r, err == nil
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++ // the escaped character: a backslash escaped is no escape's start
		r, ok := hex4(i)
		if !ok {
			continue
		}
		i += 4
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		case r >= 0xD800 && r <= 0xDBFF:
			if i+2 < len(raw) && raw[i+1] == '\\' {
				if lo, ok := hex4(i + 2); ok && lo >= 0xDC00 && lo <= 0xDFFF {
					i += 6
					continue
				}
			}
			return true
		}
	}
	return false
}

// parseCaseFields decodes and checks each client-managed member on its own:
// a wrong type, an empty title or id, or a bad phone number is 400.
func parseCaseFields(members map[string]json.RawMessage) (caseFields, *failure) {
	var c caseFields
	var f *failure
	for _, m := range []struct {
		name string
		dst  **string
	}{{"uuid", &c.uuid}, {"id", &c.id}, {"title", &c.title}, {"comment", &c.comment}} {
		if *m.dst, f = textMember(members, m.name); f != nil {
			return c, f
		}
	}
	if c.title != nil && *c.title == "" {
		return c, fail(http.StatusBadRequest, `"title" must not be empty`)
	}
	if c.id != nil && !validExtID(*c.id) {
		return c, fail(http.StatusBadRequest, `"id" must be 1 to %d characters XML can carry`, maxExtID)
	}
	if raw := members["priority"]; !isNull(raw) {
		n, ok := integer(raw)
		if !ok {
			return c, fail(http.StatusBadRequest, `"priority" must be an integer of at most 53 bits`)
		}
		c.priority = &n
	}
	if raw := members["phoneNumbers"]; !isNull(raw) {
		phones, f := parsePhones(raw)
		if f != nil {
			return c, f
		}
		c.phones = &phones
	}
	return c, nil
}

// maxSafeInteger bounds integers every JSON client reads exactly (2^53-1).
const maxSafeInteger = 1<<53 - 1

// integer reads a JSON number with an integral value, as JSON Schema's
// "integer" does: 1e3 and 7.0 are integers, 7.5 and "7" are not.
func integer(raw json.RawMessage) (int64, bool) {
	var num json.Number
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)) || json.Unmarshal(raw, &num) != nil {
		return 0, false // json.Number would take a quoted number too
	}
	if n, err := strconv.ParseInt(num.String(), 10, 64); err == nil {
		return n, n >= -maxSafeInteger && n <= maxSafeInteger
	}
	f, err := strconv.ParseFloat(num.String(), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > maxSafeInteger {
		return 0, false
	}
	return int64(f), true
}

// parsePhones reads {"phoneNumber":[{"value","phoneNumberType"}, ...]}:
// each number needs a non-empty value and one of the four types.
func parsePhones(raw json.RawMessage) ([]phoneNumber, *failure) {
	bad := fail(http.StatusBadRequest, `"phoneNumbers" must be {"phoneNumber":[{"value":"...","phoneNumberType":"HOME|MOBILE|WORK|OTHER"}]}, both members required`)
	members, f := decodeObject(raw, `"phoneNumbers"`)
	if f != nil {
		return nil, bad
	}
	var items []json.RawMessage
	if list := members["phoneNumber"]; !isNull(list) {
		if err := json.Unmarshal(list, &items); err != nil {
			return nil, bad
		}
	}
	phones := []phoneNumber{}
	for _, item := range items {
		m, f := decodeObject(item, "a phone number")
		if f != nil {
			return nil, bad
		}
		value, f1 := textMember(m, "value")
		kind, f2 := stringMember(m, "phoneNumberType")
		if f1 != nil || f2 != nil || value == nil || *value == "" || kind == nil || !slices.Contains(phoneTypes, *kind) {
			return nil, bad
		}
		phones = append(phones, phoneNumber{value: *value, kind: *kind})
	}
	return phones, nil
}

// checkCreate adds the rules of a create: a title, an id where the endpoint
// keys on it, and a client uuid of the allowed shape.
func (c caseFields) checkCreate(needID bool) *failure {
	if c.title == nil {
		return fail(http.StatusBadRequest, `"title" is required`)
	}
	if needID && c.id == nil {
		return fail(http.StatusBadRequest, `"id" is required`)
	}
	if c.uuid != nil && !uuidShape.MatchString(*c.uuid) {
		return fail(http.StatusBadRequest, `"uuid" must match ^[0-9a-z]{1,64}$`)
	}
	return nil
}

// create adds a case to p. Through the external-id endpoints (uniqueID) an
// id already in p is 209; a client uuid in use anywhere is 409.
func (st *store) create(p *project, c caseFields, uniqueID bool) (*callCase, *failure) {
	if uniqueID && c.id != nil && len(p.byExtID[*c.id]) > 0 {
		return nil, fail(209, "external id %q exists in project %s", *c.id, p.uuid)
	}
	var uuid string
	if c.uuid != nil {
		if st.taken(*c.uuid) {
			return nil, fail(http.StatusConflict, "uuid %s is taken", *c.uuid)
		}
		uuid = *c.uuid
	} else {
		uuid = st.newUUID("ocpcas")
	}
	now := st.tick()
	cc := &callCase{uuid: uuid, extID: c.id, project: p, state: "new", phones: []phoneNumber{}, created: now, modified: now}
	cc.apply(c)
	st.insert(cc)
	return cc, nil
}

// update applies a partial update (docs/rules.md) and marks the case modified.
func (st *store) update(cc *callCase, c caseFields) {
	cc.apply(c)
	if c.id != nil {
		cc.project.setExtID(cc, *c.id)
	}
	cc.modified = st.tick()
}

// apply sets the members every write shares; the external id is indexed, so
// create and update set it themselves.
func (cc *callCase) apply(c caseFields) {
	if c.title != nil {
		cc.title = *c.title
	}
	if c.comment != nil {
		cc.comment = *c.comment
	}
	if c.priority != nil {
		cc.priority = *c.priority
	}
	if c.phones != nil {
		cc.phones = *c.phones
	}
}
