package engine

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestAutomationGo drives examples/automation-go, a Go Automation API program
// with an inline Pulumi program on the Go SDK, as a pipeline would: preview,
// up, outputs, destroy.
func TestAutomationGo(t *testing.T) {
	w := newWorld(t, worldOptions{withPluginOnPath: true})
	bin := filepath.Join(w.dir, "automation-go-bin")
	w.run(w.root, false, "go", "build", "-o", bin, "./examples/automation-go")
	w.env = append(w.env, "SESSION_SECRET="+sessionSecret, "DB_PASSWORD="+dbPassword)
	compose := filepath.Join(w.copyExample("automation-go"), "compose.yaml")
	workDir := filepath.Join(w.dir, "automation-work")
	must(t, mkdirAll(workDir))
	auto := func(command string) string {
		t.Helper()
		out, _ := w.run(w.dir, false, bin, "-stack", stackName, "-work-dir", workDir, "-compose", compose, command)
		return out
	}

	preview := lastJSONLine(t, auto("preview"))
	if preview["create"] == 0 {
		t.Errorf("preview summary %v: nothing to create", preview)
	}
	up := lastJSONLine(t, auto("up"))
	if up["create"] != preview["create"] {
		t.Errorf("up created %d resources, preview announced %d", up["create"], preview["create"])
	}
	var outputs map[string]any
	mustJSON(t, strings.TrimSpace(auto("outputs")), &outputs)
	assertShopOutputs(t, outputs, "")

	state := w.export(workDir)
	w.assertDeploymentInvariants(state, nil)

	again := lastJSONLine(t, auto("up"))
	if n := changeSummary(again).changed(); n != 0 {
		t.Errorf("second up through the Automation API changed %d resources: %v", n, again)
	}

	down := lastJSONLine(t, auto("destroy"))
	if down["delete"] == 0 {
		t.Errorf("destroy summary %v: nothing deleted", down)
	}
	if left := w.export(workDir).resources; len(left) != 0 {
		t.Errorf("%d resources left in the state after destroy", len(left))
	}
	assertCloudEmpty(t, w.aws)
}

// lastJSONLine parses the change summary the program prints last.
func lastJSONLine(t *testing.T, stdout string) map[string]int {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var summary map[string]int
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &summary); err != nil {
		t.Fatalf("the last line of the program's output is not a change summary: %v\n%s", err, tail(stdout, 20))
	}
	return summary
}
