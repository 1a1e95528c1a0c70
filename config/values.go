package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// parseBaseURL checks an absolute http(s) URL with a host and no query,
// fragment or credentials, and trims trailing slashes. An empty text is
// allowed: the setting is then unconfigured.
func parseBaseURL(text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", nil
	}
	const expected = "expected an absolute http or https URL with a host and no query or fragment, e.g. http://host:8080/fx/api/v1"
	u, err := url.Parse(text)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL; %s", showURL(text), expected)
	}
	var wrong string
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		wrong = "has no http or https scheme"
	case u.Host == "" || u.Hostname() == "":
		wrong = "has no host"
	case u.User != nil:
		// Credentials in a URL would be echoed in the configuration and reports.
		wrong = fmt.Sprintf("carries credentials (give them in %s and %s)", EnvUsername, EnvPassword)
	case u.RawQuery != "" || u.ForceQuery:
		wrong = "has a query"
	case u.Fragment != "" || strings.Contains(text, "#"):
		wrong = "has a fragment"
	}
	if wrong != "" {
		return "", fmt.Errorf("%s %s; %s", showURL(text), wrong, expected)
	}
	return strings.TrimRight(text, "/"), nil
}

// showURL quotes a URL for a message without any password it may carry.
func showURL(text string) string {
	if u, err := url.Parse(text); err == nil {
		return strconv.Quote(u.Redacted())
	}
	if strings.Contains(text, "@") {
		return "the value (not shown: it may hold credentials)"
	}
	return strconv.Quote(text)
}

func parseFormats(items []string) ([]string, error) {
	if len(items) == 0 {
		return nil, errors.New("no format is given")
	}
	var formats []string
	for _, item := range items {
		f := strings.TrimSpace(item)
		switch {
		case f == "":
			return nil, errors.New("an entry is empty")
		case !slices.Contains(KnownFormats, f):
			return nil, fmt.Errorf("%q is not a format", f)
		case slices.Contains(formats, f):
			return nil, fmt.Errorf("%q is given twice", f)
		}
		formats = append(formats, f)
	}
	return formats, nil
}
