package harness

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
)

// Project is the project resource.
type Project struct {
	UUID                   string `json:"uuid"`
	Title                  string `json:"title"`
	State                  string `json:"state"`
	OperatorAssignmentMode string `json:"operatorAssignmentMode"`
}

// Operator is the operator resource.
type Operator struct {
	UUID  string `json:"uuid"`
	Login string `json:"login"`
	Title string `json:"title"`
}

// Preflight checks, before any spec runs, that each named fixture is what
// the configuration claims; it changes nothing on the target.
func (e *Env) Preflight(ctx context.Context) error {
	var problems errs
	format := e.Config.Formats[0]
	project := func(problems *errs, c *client.Client, uuid, setting string) (Project, bool) {
		x := c.Do(ctx, client.Request{Method: http.MethodGet, Path: "/" + format + "/projects/" + url.PathEscape(uuid), Purpose: "preflight: read " + setting})
		var p Project
		switch {
		case x.Err != nil:
			problems.addUnreachable("%s: reading project %q: %v", config.EnvTarget, uuid, x.Err)
		case isRedirect(x.Status):
			problems.addUnreachable("%s: reading project %q answered a redirect (%d to %q); the suite does not follow redirects, and the API has none: set %s to the URL the API is served at",
				config.EnvTarget, uuid, x.Status, x.Header.Get("Location"), config.EnvTarget)
		case x.Status == http.StatusUnauthorized:
			problems.add("%s: the target rejects these credentials (401)", credentialSetting(c, e))
		case x.Status == http.StatusNotFound && format == "xml" && !e.apiIsAt(ctx, format) && e.apiIsAt(ctx, "json"):
			problems.addUnreachable("%s: the target does not serve xml: reading project %q under /xml/ answered 404, and the API answers under /json/. Set %s=json to certify json alone (the xml conditions are then not selected)",
				config.EnvFormats, uuid, config.EnvFormats)
		case x.Status == http.StatusNotFound && !e.apiIsAt(ctx, format):
			problems.addUnreachable("%s: reading project %q answered 404, and so did a read of the case list without its project (the API answers 400): the API is not at %s; set %s to the URL the API's paths are under, e.g. https://host/fx/api/v1",
				config.EnvTarget, uuid, e.Config.Target, config.EnvTarget)
		case x.Status == http.StatusNotFound:
			problems.add("%s: the target has no project %q (404)", setting, uuid)
		case x.Status != http.StatusOK:
			problems.add("%s: reading project %q answered %d, want 200: %s", setting, uuid, x.Status, clip(x.Body))
		case !isFormat(format, x.Header.Get("Content-Type")):
			problems.addUnreachable("%s: reading project %q answered 200 with Content-Type %q, not %s; is %s the API's base URL? The body begins: %s",
				config.EnvTarget, uuid, x.Header.Get("Content-Type"), strings.ToUpper(format), config.EnvTarget, clip(x.Body))
		case x.Decode(&p) != nil:
			problems.add("%s: project %q: the answer is not a project resource: %v; the body begins: %s", setting, uuid, x.Decode(&p), clip(x.Body))
		default:
			return p, true
		}
		return p, false
	}

	// Every check reads something of its own: they go out at once, the
	// main project's read with them, and their problems and notes are told
	// in this order. A main project that cannot be read says why alone:
	// nothing else can be checked then, and the xml probe, which reads that
	// project under /xml/, means something only when it was read.
	var operatorNotes, earlierNotes []string
	mainRead := false
	checks := []func(problems *errs){func(problems *errs) {
		p, ok := project(problems, e.API, e.Config.Project, config.EnvProject)
		if !ok {
			return
		}
		mainRead = true
		if p.OperatorAssignmentMode != "manual" {
			problems.add("%s: project %q is in %q assignment mode, want manual", config.EnvProject, p.UUID, p.OperatorAssignmentMode)
		}
		if p.State != "stopped" {
			problems.add("%s: project %q is %q; the suite runs only against a stopped project, so that nothing dials", config.EnvProject, p.UUID, p.State)
		}
	}}
	probe := -1
	if format != "xml" && slices.Contains(e.Config.Formats, "xml") {
		probe = len(checks)
		checks = append(checks, func(problems *errs) { e.probeXML(ctx, problems) })
	}
	if e.Config.AutoProject != "" {
		checks = append(checks, func(problems *errs) {
			if p, ok := project(problems, e.API, e.Config.AutoProject, config.EnvAutoProject); ok && p.OperatorAssignmentMode != "automatic" {
				problems.add("%s: project %q is in %q assignment mode, want automatic", config.EnvAutoProject, p.UUID, p.OperatorAssignmentMode)
			}
		})
	}
	if e.Config.CompletedProject != "" {
		checks = append(checks, func(problems *errs) {
			if p, ok := project(problems, e.API, e.Config.CompletedProject, config.EnvCompletedProject); ok && p.State != "completed" {
				problems.add("%s: project %q is %q, want completed", config.EnvCompletedProject, p.UUID, p.State)
			}
		})
	}
	if e.Config.Operator != "" {
		checks = append(checks, func(problems *errs) { operatorNotes = e.checkOperator(ctx, problems, format) })
	}
	if e.ReadOnly != nil {
		checks = append(checks, func(problems *errs) { project(problems, e.ReadOnly, e.Config.Project, config.EnvReadOnlyUsername) })
	}
	if e.Faults != nil {
		checks = append(checks, func(problems *errs) { e.checkHook(ctx, problems) })
	}
	found := make([]errs, len(checks))
	var wg sync.WaitGroup
	for i, check := range checks {
		wg.Go(func() { check(&found[i]) })
	}
	// Read only, so it goes out with the others; told only when all is well.
	wg.Go(func() { earlierNotes = e.earlierRunNotes(ctx) })
	wg.Wait()
	if found[0].unreachable {
		return found[0].err() // nothing else can be checked
	}
	for i, f := range found {
		if i == probe && !mainRead {
			continue
		}
		problems.list = append(problems.list, f.list...)
		problems.unreachable = problems.unreachable || f.unreachable
	}
	e.Notes = append(e.Notes, operatorNotes...)
	if len(problems.list) == 0 {
		e.Notes = append(e.Notes, earlierNotes...)
	}
	return problems.err()
}

// checkOperator lists the main project's operators: the fixture operator
// may be assigned at the moment; it returns what to tell the user.
func (e *Env) checkOperator(ctx context.Context, problems *errs, format string) (notes []string) {
	ops, err := e.Operators(ctx, format, e.Config.Project)
	switch {
	case err != nil:
		problems.add("%s: listing the main project's operators: %v", config.EnvOperator, err)
	case slices.ContainsFunc(ops, func(o Operator) bool { return o.UUID == e.Config.Operator }):
		// Another run may be assigning it right now (it holds the lease
		// meanwhile), or someone left it assigned: the operator specs
		// look again when they start, and report not provoked if it still is.
		e.OperatorAssigned = true
		notes = append(notes, fmt.Sprintf("%s: operator %q is assigned to the main project %q at the moment; the operator conditions need it unassigned and will say so if it still is when they run",
			config.EnvOperator, e.Config.Operator, e.Config.Project))
	}
	return notes
}

// checkHook reads the fault hook, and puts back a global fault a killed run left.
func (e *Env) checkHook(ctx context.Context, problems *errs) {
	if hook, err := e.ReadHook(ctx); err != nil {
		problems.add("%s: %v", config.EnvFaultsURL, err)
	} else {
		e.Scopes = hook.Scopes
		if hook.Global[Dialer] != FaultNone || hook.Global[Integration] != FaultNone {
			// Another run may hold it (and the lease) right now; once the
			// lease is this run's, a fault still on is one a killed run left.
			if err := e.resetStaleGlobal(ctx); err != nil {
				problems.add("%s: a global fault is on (dialer %s, integration %s) and was not put back: %v", config.EnvFaultsURL, hook.Global[Dialer], hook.Global[Integration], err)
			}
		}
	}
}

// apiIsAt tells a wrong base URL from a missing project when a project read
// answers 404: a list of cases without its required project is a bad request
// (400) to the API, and unknown (404) to whatever else is at that URL.
func (e *Env) apiIsAt(ctx context.Context, format string) bool {
	x := e.API.Do(ctx, client.Request{Method: http.MethodGet, Path: "/" + format + "/callcases/", OffContract: true,
		Purpose: "preflight: is the API at " + config.EnvTarget + "? (a list without its project is a 400 there)"})
	return x.Err == nil && x.Status != http.StatusNotFound
}

// probeXML asks once whether the target serves the XML representation at
// all, by reading the main project (which the first format has just read)
// under /xml/: a target that serves only json answers 404 there, and the
// run would fail every xml condition for that one reason.
func (e *Env) probeXML(ctx context.Context, problems *errs) {
	x := e.API.Do(ctx, client.Request{Method: http.MethodGet, Path: "/xml/projects/" + url.PathEscape(e.Config.Project), Purpose: "preflight: does the target serve xml?"})
	switch {
	case x.Err != nil:
		problems.addUnreachable("%s: reading project %q under /xml/: %v", config.EnvTarget, e.Config.Project, x.Err)
	case x.Status == http.StatusNotFound:
		problems.add("%s: the target does not serve xml: GET %s answered 404 where %s answered the project. Set %s=json to certify json alone (the xml conditions are then not selected)",
			config.EnvFormats, x.HTTPRequest.URL.Redacted(), e.Config.Formats[0], config.EnvFormats)
	}
}

// Operators lists a project's operators (204 is an empty list).
func (e *Env) Operators(ctx context.Context, format, project string) ([]Operator, error) {
	return OperatorsOf(e.API.Do(ctx, OperatorsRequest(format, project)))
}

// OperatorsRequest lists a project's operators.
func OperatorsRequest(format, project string) client.Request {
	return client.Request{Method: http.MethodGet, Path: "/" + format + "/projects/" + url.PathEscape(project) + "/operators/", Purpose: "list the project's operators"}
}

// OperatorsOf reads the answer to OperatorsRequest (204 is an empty list).
func OperatorsOf(x *client.Exchange) ([]Operator, error) {
	if x.Err != nil {
		return nil, x.Err
	}
	switch x.Status {
	case http.StatusNoContent:
		return nil, nil
	case http.StatusOK:
		var list struct {
			Operator []Operator `json:"operator"`
		}
		if err := x.Decode(&list); err != nil {
			return nil, err
		}
		return list.Operator, nil
	}
	return nil, &unexpected{x}
}

func credentialSetting(c *client.Client, e *Env) string {
	if c == e.ReadOnly {
		return config.EnvReadOnlyUsername + "/" + config.EnvReadOnlyPassword
	}
	return config.EnvUsername + "/" + config.EnvPassword
}

// isRedirect: the client does not follow redirects, and no 3xx but 300
// (several cases share an external id) is a code of the API.
func isRedirect(status int) bool {
	return status >= 300 && status < 400 && status != http.StatusMultipleChoices
}

// isFormat tells a Content-Type of the format's representation.
func isFormat(format, contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	if format == "xml" {
		return mediaType == "application/xml" || mediaType == "text/xml" || strings.HasSuffix(mediaType, "+xml")
	}
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

type unexpected struct{ x *client.Exchange }

func (u *unexpected) Error() string {
	return "unexpected answer " + http.StatusText(u.x.Status) + ": " + clip(u.x.Body)
}

func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
