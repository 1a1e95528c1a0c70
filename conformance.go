// Package conformance holds the two sources of truth the whole project reads:
// the API's result-code table and its OpenAPI contract. Nothing else in the
// repository retypes what these files say.
package conformance

import _ "embed"

// ResultCodes is the documented code table (fixtures/result-codes.md), in Russian.
//
//go:embed fixtures/result-codes.md
var ResultCodes []byte

// OpenAPI is the contract of record (openapi.yaml).
//
//go:embed openapi.yaml
var OpenAPI []byte
