package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/DefangLabs/pulumi-defang/provider/azure"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// plumbingWords are what the SDK and gRPC wrap an error in on its way out;
// a user-facing error never shows them (issue 13, "Errors a user can read").
var plumbingWords = []string{"marshaling properties", "awaiting input property", "rpc error: code ="}

// planError runs defang-plan, which must fail with status 1 and nothing on
// stdout, and returns its stderr after checking that it holds no plumbing
// and names each of mustName.
func planError(t *testing.T, args []string, mustName ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	if code != 1 || stdout.Len() != 0 {
		t.Fatalf("defang-plan %s: exit %d, want 1 and an empty stdout; stderr:\n%s", strings.Join(args, " "), code, stderr.String())
	}
	msg := stderr.String()
	for _, w := range plumbingWords {
		if strings.Contains(msg, w) {
			t.Errorf("defang-plan %s: the error shows %q:\n%s", strings.Join(args, " "), w, msg)
		}
	}
	for _, w := range mustName {
		if !strings.Contains(msg, w) {
			t.Errorf("defang-plan %s: the error does not name %s:\n%s", strings.Join(args, " "), w, msg)
		}
	}
	return msg
}

func writeCompose(t *testing.T, yaml string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// The provider's own rules that can only be checked once a secret resolves
// (inside an ApplyT) reach the user as the rule's sentence, naming the
// service and the field, not as the SDK's chain of outputs.
func TestConstructErrorsAreReadable(t *testing.T) {
	const store = `services:
  db:
    image: %s
    %s: true
    environment:
      %s:
  web:
    image: nginx
    ports: ["80:80"]
    environment:
      DB: db
`
	cases := []struct {
		name, cloud, image, ext, variable, password string
		mustName                                    []string
	}{
		{"azure postgres password too simple", "azure", "postgres:16", "x-defang-postgres", "POSTGRES_PASSWORD", "short",
			[]string{`service "db"`, "POSTGRES_PASSWORD", "Azure PostgreSQL needs a password of 8 to 128 characters"}},
		{"aws postgres password with a slash", "aws", "postgres:16", "x-defang-postgres", "POSTGRES_PASSWORD", "pass/word-1234",
			[]string{`service "db"`, "password", "printable ASCII characters only"}},
		{"aws mongo password too short", "aws", "mongo:7", "x-defang-mongodb", "MONGO_INITDB_ROOT_PASSWORD", "short",
			[]string{`service "db"`, "password", "8 to 100 characters"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := writeCompose(t, fmt.Sprintf(store, c.image, c.ext, c.variable))
			planError(t, []string{"--cloud", c.cloud, "--config", c.variable + "=" + c.password, file}, c.mustName...)
		})
	}
}

// Every corpus case that deserves an error gets one without plumbing, naming
// the service and the field: each case that reads config, planned without
// it, and each case that hits a documented Azure limit.
func TestCorpusErrorsAreReadable(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "shared", "corpus", "defang-samples"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatalf("the compose corpus is missing: %v", err)
	}
	failing := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		file := filepath.Join(root, e.Name(), "compose.yaml")
		p, _, err := compose.Load(context.Background(), compose.LoadOptions{ComposeFiles: []string{file}, WorkingDir: filepath.Dir(file)})
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		t.Run(e.Name(), func(t *testing.T) {
			if len(p.ConfigNames) > 0 {
				failing++
				for _, cloud := range []string{"aws", "azure"} {
					planError(t, []string{"--cloud", cloud, file}, `service "`, "environment."+p.ConfigNames[0])
				}
			}
			if limits := azure.CheckLimits(p); limits != nil {
				failing++
				args := []string{"--cloud", "azure"}
				for _, n := range p.ConfigNames {
					args = append(args, "--config", n+"=Value-1234")
				}
				planError(t, append(args, file), `service "`)
			}
		})
	}
	if failing == 0 {
		t.Fatal("no corpus case failed: the test checks nothing")
	}
}
