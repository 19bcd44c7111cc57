package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
)

// sdkPackage is the npm name of the TypeScript SDK.
const sdkPackage = "@defang-io/pulumi-defang"

// installNode makes a TypeScript program in dir runnable: its dependency on
// the SDK is pointed at the tarball `make sdk-nodejs-pack` built (what npm
// would download once the SDK is published), and node_modules comes from a
// cache under tests/.work keyed by the resulting package.json and the
// tarball's content, so later runs skip npm.
func (w *world) installNode(dir string) {
	w.t.Helper()
	tarball := requireEnv(w.t, "DEFANG_SDK_NODEJS_TARBALL")
	tgz, err := os.ReadFile(tarball)
	must(w.t, err)

	raw, err := os.ReadFile(filepath.Join(dir, "package.json"))
	must(w.t, err)
	var pkg map[string]any
	mustJSON(w.t, string(raw), &pkg)
	deps, _ := pkg["dependencies"].(map[string]any)
	if _, ok := deps[sdkPackage]; !ok {
		w.t.Fatalf("%s/package.json does not depend on %s", dir, sdkPackage)
	}
	deps[sdkPackage] = "file:" + tarball
	rewritten, err := json.MarshalIndent(pkg, "", "  ")
	must(w.t, err)
	must(w.t, os.WriteFile(filepath.Join(dir, "package.json"), rewritten, 0o644))

	sum := sha256.New()
	sum.Write(rewritten)
	sum.Write(tgz)
	cache := filepath.Join(w.root, "tests", ".work", "node", hex.EncodeToString(sum.Sum(nil))[:16])
	done := filepath.Join(cache, ".installed")
	if _, err := os.Stat(done); err != nil {
		must(w.t, os.RemoveAll(cache))
		must(w.t, os.MkdirAll(cache, 0o755))
		must(w.t, os.WriteFile(filepath.Join(cache, "package.json"), rewritten, 0o644))
		w.run(cache, false, "npm", "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error")
		must(w.t, os.WriteFile(done, nil, 0o644))
	}
	must(w.t, os.Symlink(filepath.Join(cache, "node_modules"), filepath.Join(dir, "node_modules")))
}
