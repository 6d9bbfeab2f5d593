package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"-nope", "https://h/mcp"},
		{"https://a/mcp", "https://b/mcp"},
		{"not-a-url"},
		{"-timeout", "0s", "https://h/mcp"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2 (stderr %q)", args, code, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("run(%q) wrote a report: %q", args, stdout.String())
		}
		if !strings.Contains(stderr.String(), "mcpauth-check") {
			t.Errorf("run(%q) stderr %q does not say who complains", args, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "Exit status") {
		t.Errorf("-h = %d, %q", code, stderr.String())
	}
}

// A URL that is neither an MCP endpoint nor an issuer fails with 1, in
// both output formats.
func TestNeither(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{srv.URL + "/x"}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "FAIL  target.kind") || !strings.Contains(stdout.String(), "neither an MCP endpoint") {
		t.Errorf("table:\n%s", stdout.String())
	}

	stdout.Reset()
	if code := run(context.Background(), []string{"-json", srv.URL + "/x"}, &stdout, &stderr); code != 1 {
		t.Fatalf("-json: exit %d, want 1", code)
	}
	var got struct {
		Kind     string `json:"kind"`
		ExitCode int    `json:"exit_code"`
		Results  []struct {
			Check, Status string
		} `json:"results"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("-json output: %v\n%s", err, stdout.String())
	}
	if got.Kind != "unknown" || got.ExitCode != 1 || len(got.Results) == 0 {
		t.Errorf("-json = %+v", got)
	}
}
