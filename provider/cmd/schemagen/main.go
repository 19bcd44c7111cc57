// Command schemagen writes the provider's Pulumi package schema as JSON,
// straight from the provider code (no Pulumi CLI needed). `make schema` runs
// it to produce schema.json, from which sdk/ is generated.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/DefangLabs/pulumi-defang/provider"
	"github.com/DefangLabs/pulumi-defang/provider/version"
)

func main() {
	out := flag.String("out", "schema.json", "file to write")
	stamp := flag.String("version", version.Version, "version to stamp into the schema")
	flag.Parse()
	if err := write(*out, *stamp); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func write(path, version string) error {
	schema, err := provider.Schema(context.Background(), version)
	if err != nil {
		return err
	}
	// Re-indent through a generic value: encoding/json sorts map keys, so the
	// file is byte-identical for the same code.
	var v any
	if err := json.Unmarshal([]byte(schema), &v); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
