package check

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// sectionTitles name the sections in the table.
var sectionTitles = map[string]string{
	"target": "Target",
	"mcp":    "MCP endpoint",
	"prm":    "Protected resource metadata of",
	"as":     "Authorization server",
}

// WriteTable writes the report as a table for people: a heading per
// section, then one line per check with its status, name and detail and,
// unless it passed, the fix; then a summary line.
func (r *Report) WriteTable(w io.Writer) error {
	bw := bufio.NewWriter(w)
	width := 0
	for _, res := range r.Results {
		width = max(width, len(res.Check))
	}
	section, subject := "", ""
	for _, res := range r.Results {
		if res.Section != section || res.Subject != subject {
			if section != "" {
				bw.WriteString("\n")
			}
			section, subject = res.Section, res.Subject
			title := sectionTitles[section]
			if title == "" {
				title = section
			}
			fmt.Fprintf(bw, "%s %s\n", title, subject)
		}
		fmt.Fprintf(bw, "  %s  %-*s  %s", res.Status, width, res.Check, res.Detail)
		if res.Fix != "" {
			fmt.Fprintf(bw, " | fix: %s", res.Fix)
		}
		bw.WriteString("\n")
	}
	pass, warn, fail := r.Counts()
	verdict := "OK"
	if fail > 0 {
		verdict = "FAILED"
	}
	fmt.Fprintf(bw, "\n%s: %d passed, %d %s, %d failed (%s)\n", verdict, pass, warn, plural(warn, "warning", "warnings"), fail, kindWords(r.Kind))
	return bw.Flush()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func kindWords(k Kind) string {
	switch k {
	case KindMCP:
		return "checked as an MCP endpoint"
	case KindIssuer:
		return "checked as an authorization server issuer"
	}
	return "neither an MCP endpoint nor an issuer"
}

// jsonReport is the -json output.
type jsonReport struct {
	*Report
	Summary  jsonSummary `json:"summary"`
	ExitCode int         `json:"exit_code"`
}

type jsonSummary struct {
	Pass int `json:"pass"`
	Warn int `json:"warn"`
	Fail int `json:"fail"`
}

// WriteJSON writes the report as one JSON object: target, kind, results
// (section, subject, check, status, detail, fix), summary (pass, warn,
// fail counts) and exit_code.
func (r *Report) WriteJSON(w io.Writer) error {
	pass, warn, fail := r.Counts()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(jsonReport{Report: r, Summary: jsonSummary{pass, warn, fail}, ExitCode: r.ExitCode()})
}

// String returns the table.
func (r *Report) String() string {
	var b strings.Builder
	_ = r.WriteTable(&b)
	return b.String()
}
