package check

import (
	"strconv"
	"strings"
)

// maxQuoted bounds a value read from the network in a detail line, so that
// a hostile server cannot flood the report.
const maxQuoted = 160

// quote renders a value read from the network: quoted, non-ASCII and
// control characters escaped (nothing can move the terminal's cursor or
// forge a line of the report), and shortened.
func quote(s string) string {
	if len(s) > maxQuoted {
		return strconv.QuoteToASCII(s[:maxQuoted]) + "..."
	}
	return strconv.QuoteToASCII(s)
}

// show renders text read from the network (a header, an error message
// that quotes one) as it is when it is printable ASCII, shortened, and
// quoted otherwise.
func show(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return quote(s)
		}
	}
	if len(s) > 2*maxQuoted {
		return s[:2*maxQuoted] + "..."
	}
	return s
}

// cleanErr renders an error message, which may repeat network text, like
// show.
func cleanErr(err error) string { return show(err.Error()) }

// quoteList quotes each value and joins them with ", ".
func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = quote(v)
	}
	return strings.Join(q, ", ")
}

// containsFold reports whether list has s, ignoring ASCII case (header
// names, HTTP methods).
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// headerList splits the comma-separated values of a list header (possibly
// spread over several field lines) into trimmed, non-empty elements.
func headerList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}
