package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
)

const example = "../../../examples/aws-typescript/compose.yaml"

func TestInvalidComposeExitsOneWithEveryProblem(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(`services:
  web:
    ports:
      - target: 99999
    devices: ['/dev/fuse:/dev/fuse']
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
	for _, want := range []string{`service "web"`, "image", "devices", `service "api"`, "deploy.mode"} {
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

func TestEstimateFlag(t *testing.T) {
	base := []string{"--cloud", "aws", "--mode", "balanced", "--config", "SESSION_SECRET=session-1234", "--config", "DB_PASSWORD=password-1234"}
	var stdout, stderr bytes.Buffer
	if code := run(append(append([]string{}, base...), "--format", "json", "--estimate", "--region", "us-west-2", example), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out struct {
		Project   string
		Resources []map[string]any
		Estimate  *struct {
			Region, Mode, Currency, PricesAsOf string
			MonthlyUsd                         float64
			LineItems                          []struct {
				Service, Resource, Description, Unit string
				Quantity, UnitPriceUsd, MonthlyUsd   float64
			}
			Assumptions []string
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	e := out.Estimate
	if out.Project != "shop" || len(out.Resources) == 0 || e == nil {
		t.Fatalf("want the plan and its estimate: %s", stdout.String())
	}
	if e.Region != "us-west-2" || e.Mode != "balanced" || e.Currency != "USD" || e.PricesAsOf == "" || e.MonthlyUsd <= 0 || len(e.Assumptions) == 0 {
		t.Errorf("estimate header: %+v", e)
	}
	sum := 0.0
	urns := map[string]bool{}
	for _, r := range out.Resources {
		urns[r["urn"].(string)] = true
	}
	for _, it := range e.LineItems {
		sum += it.MonthlyUsd
		if !urns[it.Resource] {
			t.Errorf("line item of a resource the plan does not have: %+v", it)
		}
	}
	if d := sum - e.MonthlyUsd; d > 1e-6 || d < -1e-6 {
		t.Errorf("total %v is not the sum %v", e.MonthlyUsd, sum)
	}

	// Without --estimate, no estimate.
	stdout.Reset()
	if code := run(append(append([]string{}, base...), "--format", "json", example), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.Contains(stdout.String(), `"estimate"`) {
		t.Error("the plan has an estimate without --estimate")
	}

	// The tree ends with the table, its total and the assumptions.
	stdout.Reset()
	if code := run(append(append([]string{}, base...), "--estimate", example), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"Estimated monthly cost on aws us-east-1 (balanced)", "SERVICE", "NAT gateway", "TOTAL", "Assumptions:", "730 hours"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("tree output lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestEstimateUnknownRegion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"--cloud", "aws", "--estimate", "--region", "ap-south-1", example}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "eu-west-1, us-east-1, us-west-2") || stdout.Len() != 0 {
		t.Errorf("exit %d, stderr %q, stdout %q", code, stderr.String(), stdout.String())
	}
}

// A plan the cloud would refuse exits 1 with every refusal on stderr, each
// naming the compose service, the resource and the limit. The rule here is
// the test's own (registered for a project name no other test uses), so
// that the test does not depend on which derived names happen to be too
// long today.
func TestRefusedPlanExitsOneNamingServiceResourceAndLimit(t *testing.T) {
	cloudrules.Register(cloudrules.TypeRules{Token: "aws:ecs/taskDefinition:TaskDefinition", Strings: []cloudrules.StringRule{
		{Path: "family", NotPrefix: []string{"refuse-me-"}, Style: cloudrules.StyleTerraform, Source: "test"},
	}})
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(`name: refuse-me
services:
  web:
    image: nginx
  api:
    image: nginx
`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--cloud", "aws", file}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit code %d, want 1; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{
		"AWS would refuse this plan (2 problems)",
		`service "api": aws:ecs/taskDefinition:TaskDefinition "refuse-me-api": "family" cannot begin with "refuse-me-"`,
		`service "web": aws:ecs/taskDefinition:TaskDefinition "refuse-me-web": "family" cannot begin with "refuse-me-"`,
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr should say %q:\n%s", want, stderr.String())
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("nothing on stdout for a refused plan, got %q", stdout.String())
	}
}
