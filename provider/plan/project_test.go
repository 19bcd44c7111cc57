package plan

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

const exampleCompose = "../../examples/aws-typescript/compose.yaml"

var exampleConfig = map[string]string{"SESSION_SECRET": secretValue("SESSION_SECRET"), "DB_PASSWORD": secretValue("DB_PASSWORD")}

func find(res *Result, typ, name string) *Resource {
	for i, r := range res.Resources {
		if r.Type == typ && r.Name == name {
			return &res.Resources[i]
		}
	}
	return nil
}

func TestProjectPlanOfTheExample(t *testing.T) {
	res, err := Run(context.Background(), Options{ComposeFiles: []string{exampleCompose}, Cloud: "aws", Mode: "balanced", Config: exampleConfig})
	if err != nil {
		t.Fatal(err)
	}
	assertPlanInvariants(t, res, exampleConfig)

	// Config values are SecureString parameters whose values are secret.
	for _, name := range []string{"shop-config-SESSION_SECRET", "shop-config-DB_PASSWORD", "shop-env-api-DATABASE_URL"} {
		p := find(res, "aws:ssm/parameter:Parameter", name)
		if p == nil || p.Inputs["type"] != "SecureString" || p.Inputs["value"] != SecretMarker {
			t.Errorf("%s: want a SecureString with a secret value, got %+v", name, p)
		}
	}
	// Service names in environment values reach the private hostname.
	td := find(res, "aws:ecs/taskDefinition:TaskDefinition", "shop-web")
	var defs []struct {
		Environment []struct{ Name, Value string }
		Secrets     []struct{ Name, ValueFrom string }
	}
	if err := json.Unmarshal([]byte(td.Inputs["containerDefinitions"].(string)), &defs); err != nil {
		t.Fatal(err)
	}
	if len(defs[0].Environment) != 1 || defs[0].Environment[0].Value != "http://api.shop.dev.internal:5678" {
		t.Errorf("API_URL should point at the private hostname: %+v", defs[0].Environment)
	}
	if len(defs[0].Secrets) != 1 || defs[0].Secrets[0].Name != "SESSION_SECRET" {
		t.Errorf("SESSION_SECRET should be a secret reference: %+v", defs[0].Secrets)
	}
	// The web service starts after the api it depends on.
	svc := find(res, "aws:ecs/service:Service", "shop-web")
	if !contains(svc.DependsOn, "aws:ecs/service:Service::shop-api") {
		t.Errorf("web should depend on api's ECS service: %v", svc.DependsOn)
	}
	// Outputs a user reads.
	eps := res.Outputs["endpoints"].(map[string]any)
	if u, _ := eps["web"].(string); !strings.HasPrefix(u, "http://") {
		t.Errorf("endpoints.web: %v", eps)
	}
	services := res.Outputs["services"].(map[string]any)
	api := services["api"].(map[string]any)
	if api["kind"] != "private" || api["privateHostname"] != "api.shop.dev.internal" {
		t.Errorf("services.api: %v", api)
	}
	web := services["web"].(map[string]any)
	if web["kind"] != "ingress" || !strings.Contains(web["image"].(string), "@sha256:") {
		t.Errorf("services.web: %v", web)
	}
	if res.Outputs["vpcId"] == "" || res.Outputs["clusterName"] == "" {
		t.Errorf("AWS handles missing: %v", res.Outputs)
	}
}

func contains(list []string, suffix string) bool {
	for _, s := range list {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}

func TestProjectErrors(t *testing.T) {
	_, err := Run(context.Background(), Options{ComposeFiles: []string{exampleCompose}})
	if err == nil || !strings.Contains(err.Error(), "no cloud chosen") {
		t.Errorf("no cloud: %v", err)
	}
	_, err = Run(context.Background(), Options{ComposeFiles: []string{exampleCompose}, Cloud: "aws"})
	if err == nil || !strings.Contains(err.Error(), "SESSION_SECRET") || !strings.Contains(err.Error(), "DB_PASSWORD") {
		t.Errorf("every missing config name should be listed at once: %v", err)
	}
	_, err = Run(context.Background(), Options{ComposeFiles: []string{exampleCompose}, Cloud: "aws", Mode: "cheap", Config: exampleConfig})
	if err == nil || !strings.Contains(err.Error(), "unknown mode") {
		t.Errorf("bad mode: %v", err)
	}
}

func TestProjectAdoptsVPC(t *testing.T) {
	file, _ := filepath.Abs(exampleCompose)
	cfg := map[string]property.Value{}
	for k, v := range exampleConfig {
		cfg[k] = property.New(v).WithSecret(true)
	}
	arr := func(vs ...string) property.Value {
		out := make([]property.Value, len(vs))
		for i, v := range vs {
			out[i] = property.New(v)
		}
		return property.New(property.NewArray(out))
	}
	resources, state, err := Construct(context.Background(), Target{Token: "defang:index:Project", Name: "shop", Project: "shop"}, property.NewMap(map[string]property.Value{
		"composeFiles": arr(file), "cloud": property.New("aws"), "mode": property.New("high_availability"),
		"config": property.New(property.NewMap(cfg)),
		"aws": property.New(property.NewMap(map[string]property.Value{
			"vpcId": property.New("vpc-mine"), "publicSubnetIds": arr("subnet-a", "subnet-b"), "privateSubnetIds": arr("subnet-c", "subnet-d"),
		})),
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resources {
		switch r.Type {
		case "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway", "aws:ec2/internetGateway:InternetGateway":
			t.Errorf("adopted VPC, yet %s is planned", r.URN)
		case "aws:ecs/service:Service":
			b, _ := json.Marshal(r.Inputs["networkConfiguration"])
			if !strings.Contains(string(b), "subnet-c") {
				t.Errorf("%s should run in the adopted private subnets: %s", r.Name, b)
			}
		}
	}
	if state.Get("vpcId").AsString() != "vpc-mine" {
		t.Errorf("vpcId output: %v", state.Get("vpcId"))
	}
}

// The SDKs send config as one secret map (the schema marks it secret); the
// Project must accept that shape, check the names once the map resolves, and
// report every missing name together.
func TestProjectConfigAsOneSecretMap(t *testing.T) {
	file, _ := filepath.Abs(exampleCompose)
	construct := func(cfg map[string]property.Value) ([]Resource, error) {
		resources, _, err := Construct(context.Background(), Target{Token: "defang:index:Project", Name: "shop", Project: "shop"}, property.NewMap(map[string]property.Value{
			"composeFiles": property.New(property.NewArray([]property.Value{property.New(file)})),
			"cloud":        property.New("aws"),
			"config":       property.New(property.NewMap(cfg)).WithSecret(true),
		}))
		return resources, err
	}
	cfg := map[string]property.Value{}
	for k, v := range exampleConfig {
		cfg[k] = property.New(v)
	}
	resources, err := construct(cfg)
	if err != nil {
		t.Fatal(err)
	}
	params := 0
	for _, r := range resources {
		if r.Type == "aws:ssm/parameter:Parameter" {
			params++
			if r.Inputs["value"] != SecretMarker {
				t.Errorf("%s value is not secret: %v", r.Name, r.Inputs["value"])
			}
		}
	}
	if params == 0 {
		t.Error("no SSM parameters for the config values")
	}

	_, err = construct(map[string]property.Value{})
	if err == nil {
		t.Fatal("missing config values were not reported")
	}
	for _, want := range []string{"SESSION_SECRET", "DB_PASSWORD", `service "web"`, "environment.SESSION_SECRET"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

// With a domain, ingress ports are served over HTTPS at
// <service>--<port>.<domain>; a domainname outside that zone lists the DNS
// records to add by hand.
func TestProjectDomain(t *testing.T) {
	yaml := `
name: shop
services:
  web:
    image: nginx:1.27
    ports: ["8080:8080"]
    domainname: shop.other.org
    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:8080/"]}
    deploy: {resources: {reservations: {memory: 256M}}}
  api:
    image: hashicorp/http-echo:1.0
    ports: [{target: 9000, published: 9000, mode: ingress, app_protocol: grpc}]
    healthcheck: {test: ["CMD", "true"]}
    deploy: {resources: {reservations: {memory: 256M}}}
`
	_, state, err := Construct(context.Background(), Target{Token: "defang:index:Project", Name: "shop", Project: "shop"}, property.NewMap(map[string]property.Value{
		"composeYaml": property.New(yaml), "cloud": property.New("aws"), "domain": property.New("example.com"),
	}))
	if err != nil {
		t.Fatal(err)
	}
	endpoints := state.Get("endpoints").AsMap()
	if got := endpoints.Get("api").AsString(); got != "https://api--9000.example.com" {
		t.Errorf("endpoints.api = %q, want the HTTPS hostname in the domain", got)
	}
	records := state.Get("dnsRecords").AsArray()
	if records.Len() == 0 {
		t.Fatalf("no DNS records to add for shop.other.org, outside the Project's domain")
	}
	var names []string
	for _, r := range records.All {
		names = append(names, r.AsMap().Get("name").AsString())
	}
	if !strings.Contains(strings.Join(names, " "), "shop.other.org") {
		t.Errorf("dnsRecords %v do not name shop.other.org", names)
	}
}
