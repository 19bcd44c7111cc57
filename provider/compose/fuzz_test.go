package compose

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// FuzzLoad feeds compose YAML through the real loader, rules and fixups
// (Load) in the folder of a corpus case, so that build contexts and env
// files resolve as they do for real files. Load must never panic (its
// recover turns a panic into an "internal error" error, which fails here),
// must be deterministic, and must describe every problem with the service
// and the field it concerns.
//
// Seeded with every compose file of ../shared/corpus in its own folder and a
// few invalid files; with only the seeds it runs as an ordinary test. `make
// fuzz` (mk/fuzz.mk) explores; a failing input lands in
// testdata/fuzz/FuzzLoad and stays there as a regression seed.
func FuzzLoad(f *testing.F) {
	dirs := fuzzCaseDirs(f)
	for i, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "compose.yaml"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(i), false)
		f.Add(b, uint8(i), true)
	}
	for _, seed := range []string{
		"services:\n  web:\n    ports:\n      - target: 99999\n    hostname: web\n  api:\n    image: nginx\n    deploy: {mode: global}\n",
		"services:\n  a.b:\n    image: nginx\n  a-b:\n    image: nginx\n",
		"version: '3'\nservices:\n  web:\n    image: nginx\n    environment:\n      - KEY\n      - URL=http://${HOST}:80\n",
		"services:\n  db:\n    image: postgres:16\n    x-defang-postgres: {allow-downtime: true}\n    healthcheck: {test: [CMD, pg_isready], interval: 1s, timeout: 5s}\n",
		"services:\n  web:\n    build: {context: ., dockerfile: ../Dockerfile}\n    ports: [\"80:8080/udp\"]\n    domainname: example.com\n",
		"services: {}\n",
		"name: x\nservices:\n  w:\n    image: nginx\n    extends: {service: w}\n",
	} {
		f.Add([]byte(seed), uint8(0), true)
	}

	f.Fuzz(func(t *testing.T, yaml []byte, dirIndex uint8, checkConfig bool) {
		opts := LoadOptions{
			ComposeYAML: string(yaml),
			WorkingDir:  dirs[int(dirIndex)%len(dirs)],
			CheckConfig: checkConfig,
		}
		if opts.ComposeYAML == "" {
			return // "no compose text" is the file discovery's case, not the loader's
		}
		p, warns, err := Load(context.Background(), opts)
		checkLoadResult(t, p, warns, err)

		p2, warns2, err2 := Load(context.Background(), opts)
		if differentErrors(err, err2) || !reflect.DeepEqual(warns, warns2) || !reflect.DeepEqual(p, p2) {
			t.Fatalf("two loads of the same input differ:\nerror %v\n   vs %v\nwarnings %q\n      vs %q",
				err, err2, diagStrings(warns), diagStrings(warns2))
		}
	})
}

// fuzzCaseDirs are the corpus case folders, sorted: defang-samples, then
// railpack.
func fuzzCaseDirs(f *testing.F) []string {
	samples := corpusDir(f)
	var dirs []string
	for _, root := range []string{samples, filepath.Join(filepath.Dir(samples), "railpack")} {
		entries, err := os.ReadDir(root)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				dirs = append(dirs, filepath.Join(root, e.Name()))
			}
		}
	}
	if len(dirs) == 0 {
		f.Fatal("no corpus cases")
	}
	return dirs
}

// projectFields are the fields of problems that belong to no one service.
var projectFields = map[string]bool{"services": true, "config": true}

// checkLoadResult asserts what every result of Load must satisfy.
func checkLoadResult(t *testing.T, p *Project, warns []Diagnostic, err error) {
	t.Helper()
	for _, w := range warns {
		if strings.TrimSpace(w.Message) == "" {
			t.Fatalf("a warning without a message: %+v", w)
		}
	}
	if err != nil {
		if p != nil {
			t.Fatalf("Load returned a project and the error %v", err)
		}
		if strings.Contains(err.Error(), "internal error") {
			t.Fatalf("Load panicked (recovered): %v", err)
		}
		var problems Errors
		if !errors.As(err, &problems) {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("an empty error")
			}
			return // a file compose-go cannot read: a plain error naming the file
		}
		if len(problems) == 0 {
			t.Fatal("an empty Errors")
		}
		for _, d := range problems {
			switch {
			case strings.TrimSpace(d.Message) == "":
				t.Fatalf("a problem without a message: %+v", d)
			case d.Field == "":
				t.Fatalf("a problem that names no field: %s", d)
			case d.Service == "" && !projectFields[d.Field]:
				t.Fatalf("a problem of field %q that names no service: %s", d.Field, d)
			case d.Service != "" && !strings.Contains(d.String(), `service "`+d.Service+`"`):
				t.Fatalf("the message of a problem does not name its service: %s", d)
			}
		}
		return
	}
	if p == nil {
		t.Fatal("Load succeeded without a project")
	}
	if len(p.Services) == 0 {
		// An empty project is allowed, never silently.
		if _, ok := find(warns, "", "services", "nothing is deployed"); !ok {
			t.Fatalf("Load succeeded without services and without saying so: %q", diagStrings(warns))
		}
	}
	if !sort.SliceIsSorted(p.Services, func(i, j int) bool { return p.Services[i].Name < p.Services[j].Name }) {
		t.Fatal("services are not sorted by name")
	}
	for _, s := range p.Services {
		if s.Name == "" || s.Replicas < 0 {
			t.Fatalf("service %+v", s)
		}
		for _, port := range s.Ports {
			switch {
			case port.Target < 1 || port.Target > 65535:
				t.Fatalf("service %q: port target %d outside 1-65535", s.Name, port.Target)
			case port.Mode != PortModeIngress && port.Mode != PortModeHost:
				t.Fatalf("service %q: port %d has mode %q after fixups", s.Name, port.Target, port.Mode)
			case port.Mode == PortModeIngress && port.AppProtocol == "":
				t.Fatalf("service %q: ingress port %d has no app_protocol after fixups", s.Name, port.Target)
			}
		}
	}
}

// differentErrors reports whether two loads of one input failed differently.
// Our own problems (Errors) must be the same, in the same order. compose-go
// stops at the first problem it meets while walking a map, so which of two
// unparsable services it names ("services.a must be a mapping") varies from
// run to run: there, both loads failing is all that is asked.
func differentErrors(a, b error) bool {
	var ea, eb Errors
	switch {
	case (a == nil) != (b == nil):
		return true
	case a == nil:
		return false
	case errors.As(a, &ea) || errors.As(b, &eb):
		return a.Error() != b.Error()
	default:
		return false
	}
}
