package plan

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const ulimitsCompose = `
name: shop
services:
  api:
    image: nginx:1.27
    deploy: {resources: {reservations: {memory: 512M}}}
    shm_size: 256m
    ulimits:
      nproc: 4096
      nofile: {soft: 20000, hard: 40000}
`

func hasWarning(res *Result, parts ...string) bool {
	for _, w := range res.Warnings {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(w, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// ulimits reach the Fargate container definition (ECS takes them on
// Fargate); shm_size does not (Fargate has no sharedMemorySize) and warns.
func TestAWSUlimitsAndShmSize(t *testing.T) {
	res, err := Run(context.Background(), Options{ComposeYAML: ulimitsCompose, Cloud: "aws", Mode: "affordable"})
	if err != nil {
		t.Fatal(err)
	}
	var td *Resource
	for i, r := range res.Resources {
		if r.Type == "aws:ecs/taskDefinition:TaskDefinition" {
			td = &res.Resources[i]
		}
	}
	if td == nil {
		t.Fatal("no task definition")
	}
	var defs []struct {
		Ulimits []map[string]any `json:"ulimits"`
	}
	if err := json.Unmarshal([]byte(td.Inputs["containerDefinitions"].(string)), &defs); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"name": "nofile", "softLimit": 20000.0, "hardLimit": 40000.0},
		{"name": "nproc", "softLimit": 4096.0, "hardLimit": 4096.0},
	}
	if !reflect.DeepEqual(defs[0].Ulimits, want) {
		t.Errorf("ulimits = %v, want %v", defs[0].Ulimits, want)
	}
	if !hasWarning(res, `"api"`, "shm_size", "Fargate") {
		t.Errorf("want a shm_size warning, got %v", res.Warnings)
	}
	if hasWarning(res, "ulimits") {
		t.Errorf("ulimits are honoured on AWS, no warning: %v", res.Warnings)
	}

	bad := strings.Replace(ulimitsCompose, "nproc: 4096", "maxfiles: 10\n      core: {soft: 10, hard: 5}", 1)
	_, err = Run(context.Background(), Options{ComposeYAML: bad, Cloud: "aws", Mode: "affordable"})
	for _, want := range []string{`service "api": ulimits.maxfiles`, `service "api": ulimits.core`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q, got %v", want, err)
		}
	}
}

// Container Apps set neither ulimits nor shm_size: each warns.
func TestAzureUlimitsAndShmSizeWarn(t *testing.T) {
	res, err := Run(context.Background(), Options{ComposeYAML: ulimitsCompose, Cloud: "azure", Mode: "affordable"})
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"ulimits", "shm_size"} {
		if !hasWarning(res, `"api"`, field, "Container Apps") {
			t.Errorf("want a %s warning, got %v", field, res.Warnings)
		}
	}
}
