package bundle

import (
	"slices"
	"testing"
)

// A batch's item codes are evidence in either format.
func TestItemCodesInBothFormats(t *testing.T) {
	for body, want := range map[string][]int{
		`{"code":200,"text":"OK","message":"m","result":[{"id":"a","uuid":null,"code":209,"text":"t","message":"m"},{"code":201}]}`:                                                                                        {209, 201},
		`<?xml version="1.0"?><status><code>200</code><text>OK</text><message>m</message><result><item><id>a</id><code>209</code><text>t</text><message>m</message></item><item><code>201</code></item></result></status>`: {209, 201},
		`<status><code>404</code></status>`: nil,
		// Integers by value, XML as a server may spell it.
		`{"code":200.0,"result":[{"code":209.0},{"code":2.01e2}]}`:                                                                                {209, 201},
		"\uFEFF<status vendor='x'><result><item><code><![CDATA[209e0]]></code><extra/></item><item><code> 3.0e2 </code></item></result></status>": {209, 300},
		`not a body`: nil,
	} {
		if got := itemCodes([]byte(body)); !slices.Equal(got, want) {
			t.Errorf("itemCodes(%s) = %v, want %v", body, got, want)
		}
	}
}
