package conformance

import "slices"

// What a list showed, as the list specs hold it (list.go, effects.go): the
// uuids of the cases listed, and whether they include the spec's own.

// containsAll tells whether list holds every one of want.
func containsAll(list, want []string) bool {
	return !slices.ContainsFunc(want, func(s string) bool { return !slices.Contains(list, s) })
}

// uuidsOf is the uuids of listed cases, in order.
func uuidsOf(cases []CallCase) []string {
	out := make([]string, len(cases))
	for i, c := range cases {
		out[i] = c.UUID
	}
	return out
}
