package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// pulumiPython is the PyPI release of the Pulumi SDK the examples pin.
const pulumiPython = "pulumi==3.270.0"

// TestPythonExample runs examples/aws-python through the Python language
// host: preview, up, outputs, destroy.
func TestPythonExample(t *testing.T) {
	w := newWorld(t, worldOptions{withPluginOnPath: true})
	dir := w.copyExample("aws-python")
	w.installPython(dir)
	w.newStack(dir)

	steps, _ := w.preview(dir)
	if len(steps) == 0 {
		t.Fatal("preview of the Python example plans nothing")
	}
	w.pulumi(dir, "up", "--yes", "--skip-preview")
	if _, result, changes := w.lastUpdate(dir); result != "succeeded" || changes["create"] != len(steps) {
		t.Errorf("up: %s %v, want the %d creates the preview announced", result, changes, len(steps))
	}
	w.assertDeploymentInvariants(w.export(dir), nil)
	assertShopOutputs(t, w.outputs(dir), "")

	w.pulumi(dir, "destroy", "--yes", "--skip-preview")
	if left := w.export(dir).resources; len(left) != 0 {
		t.Errorf("%d resources left in the state after destroy", len(left))
	}
	assertCloudEmpty(t, w.aws)
}

// installPython gives the program in dir the virtualenv its Pulumi.yaml
// names (venv), with pulumi from PyPI and the SDK from sdk/python, both
// installed by pip. The venv is cached under tests/.work, keyed by the SDK's
// content, and linked in.
func (w *world) installPython(dir string) {
	w.t.Helper()
	sdk := filepath.Join(w.root, "sdk", "python")
	sum := sha256.New()
	sum.Write([]byte(pulumiPython))
	must(w.t, filepath.WalkDir(sdk, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		sum.Write([]byte(path))
		sum.Write(b)
		return err
	}))
	cache := filepath.Join(w.root, "tests", ".work", "python", hex.EncodeToString(sum.Sum(nil))[:16])
	venv := filepath.Join(cache, "venv")
	done := filepath.Join(cache, ".installed")
	if _, err := os.Stat(done); err != nil {
		must(w.t, os.RemoveAll(cache))
		must(w.t, os.MkdirAll(cache, 0o755))
		// pip builds a local project in its own folder: give it a copy.
		src := filepath.Join(cache, "sdk")
		w.run(w.root, false, "cp", "-r", sdk, src)
		w.run(cache, false, "python3", "-m", "venv", venv)
		w.run(cache, false, filepath.Join(venv, "bin", "pip"), "install", "--quiet", "--disable-pip-version-check", pulumiPython, src)
		must(w.t, os.WriteFile(done, nil, 0o644))
	}
	must(w.t, os.Symlink(venv, filepath.Join(dir, "venv")))
	// The Python host of sdk v3.68.0 (the newest the module proxy serves)
	// learns runtime options such as `virtualenv` from command-line flags that
	// today's CLI no longer passes; it then runs the python3 on PATH. Activate
	// the venv, as a user of that host would.
	w.prependPath(filepath.Join(venv, "bin"))
	w.env = append(w.env, "VIRTUAL_ENV="+venv)
}
