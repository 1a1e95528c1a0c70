package reference

import (
	"crypto/subtle"
	"net/http"
)

type access int

const (
	noAccess access = iota
	readAccess
	fullAccess
)

// authenticate checks HTTP Basic credentials against the two users. Missing,
// malformed, unknown and wrong credentials all look the same to the client.
func (s *Server) authenticate(r *http.Request) access {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return noAccess
	}
	switch {
	case same(user, s.opts.Username) && same(pass, s.opts.Password):
		return fullAccess
	case same(user, s.opts.ReadOnlyUsername) && same(pass, s.opts.ReadOnlyPassword):
		return readAccess
	}
	return noAccess
}

func same(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// reads are the methods the read-only user may use.
func reads(method string) bool { return method == http.MethodGet || method == http.MethodHead }
