package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const example = "../../../examples/aws-typescript/compose.yaml"

func TestInvalidComposeExitsOneWithEveryProblem(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(`services:
  web:
    ports:
      - target: 99999
    hostname: web
  api:
    image: nginx
    deploy: {mode: global}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"--cloud", "aws", file}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit code %d, want 1; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{`service "web"`, "image", "hostname", `service "api"`, "deploy.mode"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr should mention %q:\n%s", want, stderr.String())
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("nothing on stdout for invalid input, got %q", stdout.String())
	}
}

func TestJSONPlanMasksSecretsAndIsStable(t *testing.T) {
	args := []string{"--cloud", "aws", "--mode", "balanced", "--format", "json",
		"--config", "SESSION_SECRET=plaintext-session-4242", "--config", "DB_PASSWORD=plaintext-db-4242", example}
	var first string
	for i := 0; i < 2; i++ {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		if strings.Contains(stdout.String(), "plaintext-") {
			t.Fatal("a config value appears in plain text in the plan")
		}
		var plan struct {
			Project, Cloud, Mode string
			Warnings             []string
			Resources            []map[string]any
		}
		if err := json.Unmarshal(stdout.Bytes(), &plan); err != nil {
			t.Fatal(err)
		}
		if plan.Project != "shop" || plan.Cloud != "aws" || plan.Mode != "balanced" || len(plan.Resources) == 0 {
			t.Errorf("plan header: %+v", plan)
		}
		if i == 0 {
			first = stdout.String()
		} else if stdout.String() != first {
			t.Error("two runs of the same plan differ")
		}
	}
}
