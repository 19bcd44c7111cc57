// Package namefuzz turns a fuzzer's bytes into the names a user can give the
// provider, so that the naming fuzz targets of both clouds explore exactly
// the names that must always fit (issue 13: any project and service name of
// 1 to 63 characters, in any characters compose allows) and no others.
//
// Bytes that are already allowed are kept, so a seed written as a real name
// stays that name; any other byte is mapped onto the allowed alphabet.
package namefuzz

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	lower  = "abcdefghijklmnopqrstuvwxyz"
	upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits = "0123456789"
)

// MaxName is the longest project or service name the naming must handle.
const MaxName = 63

// MaxStack is Pulumi's limit on stack names (tokens.ParseStackName in
// github.com/pulumi/pulumi/sdk/v3: "a stack name cannot exceed 100
// characters").
const MaxStack = 100

// Project is a project name as compose normalises it: lowercase letters,
// digits, '_' and '-', not starting with '_' or '-' (compose-go v2.16.2
// loader.NormalizeProjectName).
func Project(b []byte) string { return fit(b, MaxName, lower+digits, lower+digits+"_-") }

// Service is a compose service name: ^[a-zA-Z0-9._-]+$ (the compose-spec
// JSON schema's patternProperties of "services", compose-go v2.16.2).
func Service(b []byte) string {
	all := lower + upper + digits + "._-"
	return fit(b, MaxName, all, all)
}

// Stack is a Pulumi stack name: alphanumerics, '-', '_' and '.', 1 to 100
// characters (tokens.ParseStackName).
func Stack(b []byte) string {
	all := lower + upper + digits + "._-"
	return fit(b, MaxStack, all, all)
}

// fit maps b to a name of 1 to max characters whose first character is from
// first and the others from rest.
func fit(b []byte, max int, first, rest string) string {
	if len(b) == 0 {
		b = []byte{0}
	}
	if len(b) > max {
		b = b[:max]
	}
	out := make([]byte, len(b))
	for i, c := range b {
		alphabet := rest
		if i == 0 {
			alphabet = first
		}
		out[i] = onto(c, alphabet)
	}
	return string(out)
}

func onto(c byte, alphabet string) byte {
	for i := 0; i < len(alphabet); i++ {
		if alphabet[i] == c {
			return c
		}
	}
	return alphabet[int(c)%len(alphabet)]
}

// CorpusNames returns the project names (the case folders) and the service
// names of the compose corpus in ../shared/corpus/defang-samples next to the
// repository root, as seeds: real names the naming must keep handling.
func CorpusNames() (projects, services []string, err error) {
	root, err := corpusRoot()
	if err != nil {
		return nil, nil, err
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		projects = append(projects, e.Name())
		b, err := os.ReadFile(filepath.Join(root, e.Name(), "compose.yaml"))
		if err != nil {
			return nil, nil, err
		}
		var file struct {
			Services map[string]any `yaml:"services"`
		}
		if err := yaml.Unmarshal(b, &file); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		for name := range file.Services {
			if !seen[name] {
				seen[name] = true
				services = append(services, name)
			}
		}
	}
	sort.Strings(services)
	if len(projects) == 0 || len(services) == 0 {
		return nil, nil, fmt.Errorf("the compose corpus in %s has no cases", root)
	}
	return projects, services, nil
}

// corpusRoot finds ../shared/corpus/defang-samples beside the directory
// that holds go.mod, starting from the working directory (a test's package).
func corpusRoot() (string, error) {
	dir, err := filepath.Abs(".")
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
	root := filepath.Join(dir, "..", "shared", "corpus", "defang-samples")
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("the compose corpus is missing: expected the folder %s", root)
	}
	return root, nil
}

// AddSeeds adds (project, stack, service) seeds to a naming fuzz target:
// every corpus project with one of the corpus services, long names at the
// limits, and the names that broke before (a dotted, capitalised service; a
// digit first).
func AddSeeds(f *testing.F) {
	projects, services, err := CorpusNames()
	if err != nil {
		f.Fatal(err)
	}
	for i, p := range projects {
		f.Add([]byte(p), []byte("dev"), []byte(services[i%len(services)]))
	}
	long := strings.Repeat("a", MaxName)
	f.Add([]byte(long), []byte(strings.Repeat("s", MaxStack)), []byte(long))
	f.Add([]byte("my-shop-app"), []byte("prod"), []byte("Api.V2"))
	f.Add([]byte("1shop"), []byte("dev"), []byte("9lives"))
}

// Names is the project, stack and service names a fuzzer's bytes stand for.
func Names(project, stack, service []byte) (string, string, string) {
	return Project(project), Stack(stack), Service(service)
}
