package check

// Status is the outcome of one check.
type Status string

// The outcomes. Only [Fail] makes [Report.ExitCode] non-zero.
const (
	// Pass: the deployment does what MCP clients need.
	Pass Status = "PASS"
	// Warn: it works for spec-following clients, but some clients, a
	// later revision of the specification or a production setting will
	// not cope.
	Warn Status = "WARN"
	// Fail: MCP clients (or this library's own discovery) will not work
	// with it.
	Fail Status = "FAIL"
)

// Kind is what the checked URL turned out to be.
type Kind string

// The kinds of target.
const (
	// KindMCP: an MCP endpoint (it answers an unauthenticated request with
	// 401, or publishes protected resource metadata).
	KindMCP Kind = "mcp"
	// KindIssuer: an authorization server's issuer (metadata documents are
	// found at its well-known URLs).
	KindIssuer Kind = "issuer"
	// KindUnknown: neither, or unreachable.
	KindUnknown Kind = "unknown"
)

// Result is one check's outcome.
type Result struct {
	// Section groups results: "target", "mcp" (the MCP endpoint), "prm"
	// (its protected resource metadata) or "as" (an authorization server).
	Section string `json:"section"`
	// Subject is the URL the section is about: the target, or the
	// authorization server's issuer for "as".
	Subject string `json:"subject"`
	// Check names the check, such as "prm.resource"; the names are stable
	// (the package documentation lists them).
	Check string `json:"check"`
	// Status is the outcome.
	Status Status `json:"status"`
	// Detail says what was found. Values read from the network appear
	// quoted and shortened, never raw.
	Detail string `json:"detail"`
	// Fix says what to change; empty for [Pass].
	Fix string `json:"fix,omitempty"`
}

// Report is everything [Run] found about one target.
type Report struct {
	// Target is the URL checked, as given.
	Target string `json:"target"`
	// Kind is what the target turned out to be.
	Kind Kind `json:"kind"`
	// Results lists the checks in the order they ran.
	Results []Result `json:"results"`
}

// Counts returns how many results have each status.
func (r *Report) Counts() (pass, warn, fail int) {
	for _, res := range r.Results {
		switch res.Status {
		case Pass:
			pass++
		case Warn:
			warn++
		case Fail:
			fail++
		}
	}
	return pass, warn, fail
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool {
	_, _, fail := r.Counts()
	return fail > 0
}

// Exit statuses of the command, for CI.
const (
	// ExitOK: nothing failed (warnings allowed).
	ExitOK = 0
	// ExitFailed: at least one check failed.
	ExitFailed = 1
	// ExitUsage: the command line was unusable; nothing was checked.
	ExitUsage = 2
)

// ExitCode returns [ExitFailed] when a check failed and [ExitOK] otherwise.
func (r *Report) ExitCode() int {
	if r.Failed() {
		return ExitFailed
	}
	return ExitOK
}

// recorder collects results into a report under the current section.
type recorder struct {
	report           *Report
	section, subject string
}

func (rec *recorder) add(check string, s Status, detail, fix string) {
	if s == Pass {
		fix = ""
	}
	rec.report.Results = append(rec.report.Results, Result{Section: rec.section, Subject: rec.subject, Check: check, Status: s, Detail: detail, Fix: fix})
}

func (rec *recorder) pass(check, detail string)      { rec.add(check, Pass, detail, "") }
func (rec *recorder) warn(check, detail, fix string) { rec.add(check, Warn, detail, fix) }
func (rec *recorder) fail(check, detail, fix string) { rec.add(check, Fail, detail, fix) }
