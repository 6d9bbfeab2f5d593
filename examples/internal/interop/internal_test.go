package interop

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB whose Skip and Fatal stop the calling goroutine
// and record the message instead of ending the real test.
type recorder struct {
	testing.TB
	skipped, fatal string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Skip(args ...any)          { r.skipped = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Skipf(f string, a ...any)  { r.skipped = fmt.Sprintf(f, a...); runtime.Goexit() }
func (r *recorder) Fatal(args ...any)         { r.fatal = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Fatalf(f string, a ...any) { r.fatal = fmt.Sprintf(f, a...); runtime.Goexit() }

func TestSetupWithoutNode(t *testing.T) {
	tests := []struct {
		ci                  string
		wantSkip, wantFatal bool
	}{
		{ci: "", wantSkip: true},
		{ci: "false", wantSkip: true},
		{ci: "true", wantFatal: true},
	}
	for _, tt := range tests {
		t.Run("CI="+tt.ci, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir()) // no node, no npm
			t.Setenv("CI", tt.ci)
			r := &recorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				Setup(r)
			}()
			<-done
			if (r.skipped != "") != tt.wantSkip || (r.fatal != "") != tt.wantFatal {
				t.Fatalf("skipped=%q fatal=%q; want skip %v, fatal %v", r.skipped, r.fatal, tt.wantSkip, tt.wantFatal)
			}
			msg := r.skipped + r.fatal
			if !strings.Contains(msg, "npm ci") {
				t.Errorf("message %q does not give the install command", msg)
			}
		})
	}
}

func TestDir(t *testing.T) {
	for _, name := range []string{"package.json", "package-lock.json", "provider.mjs", "client.mjs"} {
		if _, err := os.Stat(filepath.Join(Dir(), name)); err != nil {
			t.Errorf("Dir() = %s: %v", Dir(), err)
		}
	}
}

func TestFirstForm(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:5000/interaction/abc")
	tests := []struct {
		name       string
		page       string
		wantMethod string
		wantAction string
		wantFields url.Values
	}{
		{
			name: "login",
			page: `<h1>Sign in</h1><form method="post" action="/interaction/abc/login">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form>`,
			wantMethod: "POST",
			wantAction: "http://127.0.0.1:5000/interaction/abc/login",
			wantFields: url.Values{"username": {"demo"}, "password": {"pw"}},
		},
		{
			name: "consent with approve and deny buttons sends the first",
			page: `<form method="post" action="/consent"><input type="hidden" name="id" value="a&amp;b">
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny">Deny</button></form>
<form method="post" action="/other"><input name="x"></form>`,
			wantMethod: "POST",
			wantAction: "http://127.0.0.1:5000/consent",
			wantFields: url.Values{"id": {"a&b"}, "action": {"approve"}},
		},
		{
			name:       "get form without action, relative to the page",
			page:       `<FORM><input type=hidden name=q value='1'><input type="checkbox" name="remember" checked><input type="checkbox" name="no"><input name="email" type="text"><input type="submit" name="go" value="Go" disabled></FORM>`,
			wantMethod: "GET",
			wantAction: "http://127.0.0.1:5000/interaction/abc",
			wantFields: url.Values{"q": {"1"}, "remember": {"on"}, "email": {"demo"}},
		},
		{
			name:       "form_post auto-submit form",
			page:       `<form method="post" action="http://127.0.0.1:9/callback"><input type="hidden" name="code" value="c"><input type="hidden" name="state" value="s"></form>`,
			wantMethod: "POST",
			wantAction: "http://127.0.0.1:9/callback",
			wantFields: url.Values{"code": {"c"}, "state": {"s"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := firstForm(tt.page, base, "demo", "pw")
			if !ok {
				t.Fatal("no form found")
			}
			if f.method != tt.wantMethod || f.action.String() != tt.wantAction {
				t.Errorf("form = %s %s, want %s %s", f.method, f.action, tt.wantMethod, tt.wantAction)
			}
			if f.fields.Encode() != tt.wantFields.Encode() {
				t.Errorf("fields = %v, want %v", f.fields, tt.wantFields)
			}
		})
	}
	if _, ok := firstForm("<p>no form here</p>", base, "u", "p"); ok {
		t.Error("found a form in a page without one")
	}
}

func FuzzFirstForm(f *testing.F) {
	f.Add(`<form method="post" action="/login"><input name="username"><input type="password" name="password"><button>Go</button></form>`)
	f.Add(`<form action='x?y=1&amp;z=2'><input type=hidden name=a value="&#34;"></form>`)
	f.Add(`<form`)
	f.Add(`<form action="http://[::1">`)
	base, _ := url.Parse("http://127.0.0.1/")
	f.Fuzz(func(t *testing.T, page string) {
		form, ok := firstForm(page, base, "u", "p")
		if ok && form.action == nil {
			t.Fatal("form without action URL")
		}
	})
}
