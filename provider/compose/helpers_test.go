package compose

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// project writes the given files (path -> content; a path ending in "/" is
// a directory) into a fresh directory and returns it. Every test program
// gets an "app" build context with a Dockerfile.
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{"app/Dockerfile": "FROM scratch\n"}
	for k, v := range files {
		all[k] = v
	}
	for name, content := range all {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadYAML loads inline compose text in a fresh project directory.
func loadYAML(t *testing.T, yaml string, mutate ...func(*LoadOptions)) (*Project, []Diagnostic, error) {
	t.Helper()
	opts := LoadOptions{ComposeYAML: yaml, WorkingDir: project(t, nil)}
	for _, m := range mutate {
		m(&opts)
	}
	return Load(context.Background(), opts)
}

// mustLoad loads inline compose text that must be valid.
func mustLoad(t *testing.T, yaml string, mutate ...func(*LoadOptions)) (*Project, []Diagnostic) {
	t.Helper()
	p, warns, err := loadYAML(t, yaml, mutate...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p, warns
}

// errorsOf returns the Errors of a failed load, failing the test when the
// error is missing or of another kind.
func errorsOf(t *testing.T, err error) Errors {
	t.Helper()
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want compose.Errors, got %T: %v", err, err)
	}
	return errs
}

// find returns the first diagnostic of service and field whose message
// contains substr.
func find(ds []Diagnostic, service, field, substr string) (Diagnostic, bool) {
	for _, d := range ds {
		if d.Service == service && d.Field == field && strings.Contains(d.Message, substr) {
			return d, true
		}
	}
	return Diagnostic{}, false
}

func diagStrings(ds []Diagnostic) string {
	var lines []string
	for _, d := range ds {
		lines = append(lines, d.String())
	}
	return strings.Join(lines, "\n")
}

// svc is a one-service compose file around the given service body (indented
// by four spaces), built from the "app" context.
func svc(body string) string {
	return "services:\n  app:\n    build: ./app\n" + body
}
