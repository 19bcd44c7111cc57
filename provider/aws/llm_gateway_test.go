package aws_test

// Tests of the LLM gateway: the component through the mock monitor, the
// alias table, the Bedrock policy, and PlanLLM over the corpus.

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/aws"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

const gatewayKey = "plaintext-gateway-key-5e1d"

func gatewayInputs(mode, region string, withKey bool) map[string]property.Value {
	in := map[string]property.Value{
		"projectName": str("shop"), "serviceName": str("llm"), "mode": str(mode),
		"models":        strs("ai/smollm2"),
		"privateDomain": str("shop.dev.internal"),
		"clusterArn":    str("arn:cluster"), "vpcId": str("vpc-1"), "subnetIds": strs("subnet-1", "subnet-2"),
		"assignPublicIp": property.New(true), "privateNamespaceId": str("ns-1"),
		"networkSecurityGroupIds": strs("sg-net"), "region": str(region),
		"cpus": property.New(0.25), "memoryMiB": property.New(512.0),
	}
	if withKey {
		in["apiKey"] = property.New(gatewayKey).WithSecret(true)
	}
	return in
}

type gatewayContainer struct {
	Image        string                             `json:"image"`
	EntryPoint   []string                           `json:"entryPoint"`
	Command      []string                           `json:"command"`
	Environment  []struct{ Name, Value string }     `json:"environment"`
	Secrets      []struct{ Name, ValueFrom string } `json:"secrets"`
	PortMappings []struct {
		ContainerPort int    `json:"containerPort"`
		Protocol      string `json:"protocol"`
	} `json:"portMappings"`
}

func (c gatewayContainer) env(name string) string {
	for _, e := range c.Environment {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

type litellmConfig struct {
	ModelList []struct {
		ModelName     string `json:"model_name"`
		LitellmParams struct {
			Model  string `json:"model"`
			Region string `json:"aws_region_name"`
		} `json:"litellm_params"`
		ModelInfo struct {
			Mode string `json:"mode"`
		} `json:"model_info"`
	} `json:"model_list"`
	GeneralSettings *struct {
		MasterKey string `json:"master_key"`
	} `json:"general_settings"`
}

type iamPolicy struct {
	Statement []struct {
		Sid       string
		Effect    string
		Action    []string
		Resource  []string
		Condition map[string]map[string][]string
	}
}

func parseJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v in %s", err, s)
	}
}

func TestLlmGatewayPerMode(t *testing.T) {
	for _, tc := range []struct {
		mode     string
		replicas float64
		capacity string
	}{
		{"affordable", 1, "FARGATE_SPOT"},
		{"balanced", 1, "FARGATE"},
		{"high_availability", 2, "FARGATE"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			res, state := construct(t, "defang:aws:LlmGateway", "shop-llm", gatewayInputs(tc.mode, "us-east-1", true))

			gateway := ofType(res, "defang:aws:LlmGateway")
			services := ofType(res, "defang:aws:FargateService")
			if len(gateway) != 1 || len(services) != 1 || services[0].Parent != gateway[0].URN {
				t.Fatalf("want one FargateService child of the gateway: gateway=%+v services=%+v", gateway, services)
			}
			if u := state.Get("url").AsString(); u != "http://llm.shop.dev.internal/api/v1/" {
				t.Errorf("url: %s", u)
			}

			svc := ofType(res, "aws:ecs/service:Service")[0]
			if svc.Inputs["desiredCount"] != tc.replicas {
				t.Errorf("tasks: got %v, want %v", svc.Inputs["desiredCount"], tc.replicas)
			}
			if strategy := svc.Inputs["capacityProviderStrategies"].([]any)[0].(map[string]any); strategy["capacityProvider"] != tc.capacity {
				t.Errorf("capacity: %v", strategy["capacityProvider"])
			}
			if reg := ofType(res, "aws:servicediscovery/service:Service"); len(reg) != 1 || reg[0].Inputs["name"] != "llm" {
				t.Errorf("the gateway registers `llm` in the private namespace: %+v", reg)
			}

			td := ofType(res, "aws:ecs/taskDefinition:TaskDefinition")[0]
			if td.Inputs["cpu"] != "512" || td.Inputs["memory"] != "2048" {
				t.Errorf("gateway floor is 0.5 vCPU / 2 GiB, got %v/%v", td.Inputs["cpu"], td.Inputs["memory"])
			}
			var defs []gatewayContainer
			parseJSON(t, td.Inputs["containerDefinitions"].(string), &defs)
			c := defs[0]
			if c.Image != aws.LlmGatewayImage || strings.Contains(c.Image, "latest") || !strings.Contains(c.Image, ":v1.") {
				t.Errorf("image must be pinned to a release: %s", c.Image)
			}
			if len(c.PortMappings) != 1 || c.PortMappings[0].ContainerPort != 80 || c.PortMappings[0].Protocol != "tcp" {
				t.Errorf("the gateway listens on port 80: %+v", c.PortMappings)
			}
			if c.env("SERVER_ROOT_PATH") != "/api/v1" {
				t.Errorf("the OpenAI API is served under /api/v1: %+v", c.Environment)
			}
			if len(c.Command) != 1 || !strings.Contains(c.Command[0], "--port 80") || !strings.Contains(c.Command[0], "litellm --config") {
				t.Errorf("command: %v %v", c.EntryPoint, c.Command)
			}
			var cfg litellmConfig
			parseJSON(t, c.env("LITELLM_CONFIG_YAML"), &cfg)
			got := map[string]string{}
			for _, m := range cfg.ModelList {
				got[m.ModelName] = m.LitellmParams.Model
				if m.LitellmParams.Region != "us-east-1" || m.ModelInfo.Mode != "chat" {
					t.Errorf("%s: %+v", m.ModelName, m)
				}
			}
			want := map[string]string{"ai/smollm2": "bedrock/us.amazon.nova-micro-v1:0", "default": "bedrock/us.amazon.nova-micro-v1:0", "*": "bedrock/us.amazon.nova-micro-v1:0"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("model list: got %v, want %v", got, want)
			}
			if cfg.GeneralSettings == nil || cfg.GeneralSettings.MasterKey != "os.environ/LITELLM_MASTER_KEY" {
				t.Errorf("the master key is read from the secret environment: %+v", cfg.GeneralSettings)
			}

			// The API key: an SSM SecureString, a secret reference, never plain.
			params := ofType(res, "aws:ssm/parameter:Parameter")
			if len(params) != 1 || params[0].Inputs["type"] != "SecureString" || params[0].Inputs["value"] != plan.SecretMarker ||
				params[0].Inputs["name"] != "/defang/shop/dev/llm/api-key" {
				t.Fatalf("api key parameter: %+v", params)
			}
			if len(c.Secrets) != 1 || c.Secrets[0].Name != "LITELLM_MASTER_KEY" || !strings.HasPrefix(c.Secrets[0].ValueFrom, "arn:aws:ssm:") ||
				!strings.HasSuffix(c.Secrets[0].ValueFrom, "/defang/shop/dev/llm/api-key") {
				t.Errorf("the key reaches the container as a secret reference: %+v", c.Secrets)
			}
			all, _ := json.Marshal(res)
			if strings.Contains(string(all), gatewayKey) {
				t.Error("the API key appears in plain text in the plan")
			}

			// The task role: Bedrock invoke on exactly the mapped model.
			var task iamPolicy
			for _, p := range ofType(res, "aws:iam/rolePolicy:RolePolicy") {
				if strings.HasSuffix(p.Name, "-task") {
					parseJSON(t, p.Inputs["policy"].(string), &task)
				}
			}
			profile := "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-micro-v1:0"
			checkBedrockOnly(t, task)
			if len(task.Statement) != 2 ||
				!reflect.DeepEqual(task.Statement[0].Resource, []string{profile}) ||
				!reflect.DeepEqual(task.Statement[1].Resource, []string{"arn:aws:bedrock:*::foundation-model/amazon.nova-micro-v1:0"}) ||
				!reflect.DeepEqual(task.Statement[1].Condition, map[string]map[string][]string{"StringEquals": {"bedrock:InferenceProfileArn": {profile}}}) {
				t.Errorf("task policy: %+v", task)
			}
		})
	}
}

// checkBedrockOnly fails unless every statement allows only the two Bedrock
// invoke actions.
func checkBedrockOnly(t *testing.T, p iamPolicy) {
	t.Helper()
	if len(p.Statement) == 0 {
		t.Fatal("no task policy")
	}
	for _, s := range p.Statement {
		if s.Effect != "Allow" || !reflect.DeepEqual(s.Action, []string{"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}) {
			t.Errorf("statement %s: only Bedrock invoke actions, got %v", s.Sid, s.Action)
		}
		for _, r := range s.Resource {
			if r == "*" || strings.HasSuffix(r, "/*") {
				t.Errorf("statement %s: wildcard resource %s", s.Sid, r)
			}
		}
	}
}

func TestLlmGatewayWithoutKeyInEurope(t *testing.T) {
	in := gatewayInputs("balanced", "eu-west-1", false)
	in["models"] = strs("embedding-default", "ai/llama3.3")
	res, _ := construct(t, "defang:aws:LlmGateway", "shop-llm", in)
	if n := len(ofType(res, "aws:ssm/parameter:Parameter")); n != 0 {
		t.Errorf("no API key, no parameter: %d", n)
	}
	td := ofType(res, "aws:ecs/taskDefinition:TaskDefinition")[0]
	var defs []gatewayContainer
	parseJSON(t, td.Inputs["containerDefinitions"].(string), &defs)
	if len(defs[0].Secrets) != 0 {
		t.Errorf("no secrets without a key: %+v", defs[0].Secrets)
	}
	var cfg litellmConfig
	parseJSON(t, defs[0].env("LITELLM_CONFIG_YAML"), &cfg)
	if cfg.GeneralSettings != nil {
		t.Errorf("no master key without a key: %+v", cfg.GeneralSettings)
	}
	got := map[string]string{}
	for _, m := range cfg.ModelList {
		got[m.ModelName] = m.LitellmParams.Model + " " + m.ModelInfo.Mode
	}
	want := map[string]string{
		"embedding-default": "bedrock/amazon.titan-embed-text-v2:0 embedding",
		// Llama 3.3 has no EU inference profile: the default chat model answers.
		"ai/llama3.3": "bedrock/eu.amazon.nova-micro-v1:0 chat",
		"default":     "bedrock/amazon.titan-embed-text-v2:0 embedding",
		"*":           "bedrock/amazon.titan-embed-text-v2:0 embedding",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("model list: got %v, want %v", got, want)
	}
	var task iamPolicy
	for _, p := range ofType(res, "aws:iam/rolePolicy:RolePolicy") {
		if strings.HasSuffix(p.Name, "-task") {
			parseJSON(t, p.Inputs["policy"].(string), &task)
		}
	}
	checkBedrockOnly(t, task)
	wantInvoke := []string{
		"arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0",
		"arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-micro-v1:0",
	}
	if !reflect.DeepEqual(task.Statement[0].Resource, wantInvoke) {
		t.Errorf("invoke resources: %v", task.Statement[0].Resource)
	}
}

func TestLlmGatewayNeedsModels(t *testing.T) {
	in := gatewayInputs("affordable", "us-east-1", false)
	in["models"] = strs()
	err := constructErr(t, "defang:aws:LlmGateway", in)
	if !strings.Contains(err.Error(), `"llm"`) || !strings.Contains(err.Error(), "models") {
		t.Errorf("want the service and the missing models named: %v", err)
	}
}

func TestBedrockModelFor(t *testing.T) {
	for _, tc := range []struct{ alias, region, want string }{
		{"ai/smollm2", "us-east-1", "us.amazon.nova-micro-v1:0"},
		{"default", "us-west-2", "us.amazon.nova-micro-v1:0"},
		{"chat-default", "eu-central-1", "eu.amazon.nova-micro-v1:0"},
		{"ai/smollm2", "ap-northeast-1", "apac.amazon.nova-micro-v1:0"},
		{"ai/smollm2", "", "us.amazon.nova-micro-v1:0"},          // unknown region: us-east-1
		{"ai/smollm2", "ca-central-1", "amazon.nova-micro-v1:0"}, // no geography: in-region
		{"AI/Llama3.2:3B-Q4_K_M", "us-east-2", "us.meta.llama3-2-3b-instruct-v1:0"},
		{"ai/llama3.2", "eu-west-3", "eu.meta.llama3-2-3b-instruct-v1:0"},
		{"ai/llama3.2", "ap-south-1", "apac.amazon.nova-micro-v1:0"}, // no APAC profile: default
		{"ai/llama3.3", "us-east-1", "us.meta.llama3-3-70b-instruct-v1:0"},
		{"ai/llama3.1:latest", "us-west-2", "us.meta.llama3-1-8b-instruct-v1:0"},
		{"ai/deepseek-r1-distill-llama", "us-east-1", "us.deepseek.r1-v1:0"},
		{"ai/mistral", "eu-west-3", "mistral.mistral-7b-instruct-v0:2"},
		{"ai/gemma3", "us-east-1", "us.amazon.nova-lite-v1:0"},
		{"embedding-default", "us-east-1", "amazon.titan-embed-text-v2:0"},
		{"ai/mxbai-embed-large", "eu-west-1", "amazon.titan-embed-text-v2:0"},
		{"my-embedder", "us-east-1", "amazon.titan-embed-text-v2:0"}, // unknown embedding
		{"gpt-4o", "us-east-1", "us.amazon.nova-micro-v1:0"},         // unknown chat
		{"anthropic.claude-3-haiku-20240307-v1:0", "us-east-1", "anthropic.claude-3-haiku-20240307-v1:0"},
		{"eu.amazon.nova-pro-v1:0", "eu-west-1", "eu.amazon.nova-pro-v1:0"},
	} {
		if got := aws.BedrockModelFor(tc.alias, tc.region); got != tc.want {
			t.Errorf("BedrockModelFor(%q, %q) = %q, want %q", tc.alias, tc.region, got, tc.want)
		}
	}
	if m := aws.ResolveBedrockModel("gpt-4o", "us-east-1"); !m.Fallback || m.Kind != aws.BedrockChat {
		t.Errorf("unknown alias: %+v", m)
	}
	if m := aws.ResolveBedrockModel("ai/smollm2", "us-east-1"); m.Fallback || m.FoundationModel != "amazon.nova-micro-v1:0" {
		t.Errorf("known alias: %+v", m)
	}
	for s, want := range map[string]bool{
		"amazon.nova-micro-v1:0": true, "us.anthropic.claude-3-5-haiku-20241022-v1:0": true, "apac.amazon.nova-lite-v1:0": true,
		"ai/llama3.2": false, "llama3.2": false, "default": false, "": false, "chat-default": false,
	} {
		if aws.IsBedrockModelId(s) != want {
			t.Errorf("IsBedrockModelId(%q) != %v", s, want)
		}
	}
	ids := aws.BedrockModelIds()
	if !sort.StringsAreSorted(ids) || len(ids) < 5 {
		t.Errorf("BedrockModelIds: %v", ids)
	}
	for _, id := range ids {
		if !aws.IsBedrockModelId(id) {
			t.Errorf("%s is not a Bedrock id", id)
		}
	}
}

// policyMocks resolve BedrockTaskPolicy outside a component.
type policyMocks struct{}

func (policyMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return args.Name, args.Inputs, nil
}

func (policyMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

func resolvePolicy(t *testing.T, region string, ids []string, app bool) iamPolicy {
	t.Helper()
	var doc string
	var wg sync.WaitGroup
	wg.Add(1)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		f := aws.BedrockTaskPolicy
		if app {
			f = aws.BedrockAppTaskPolicy
		}
		f(pulumi.String(region), pulumi.String("123456789012"), ids).ApplyT(func(s string) string {
			doc = s
			wg.Done()
			return s
		})
		return nil
	}, pulumi.WithMocks("p", "s", policyMocks{}))
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	var p iamPolicy
	parseJSON(t, doc, &p)
	return p
}

func TestBedrockTaskPolicy(t *testing.T) {
	// Aliases resolve for the region; profile ids and base ids are kept.
	p := resolvePolicy(t, "us-west-2", []string{"chat-default", "us.anthropic.claude-3-5-haiku-20241022-v1:0", "amazon.titan-embed-text-v2:0", "ai/mistral"}, false)
	checkBedrockOnly(t, p)
	wantInvoke := []string{
		"arn:aws:bedrock:us-west-2::foundation-model/amazon.titan-embed-text-v2:0",
		"arn:aws:bedrock:us-west-2::foundation-model/mistral.mistral-7b-instruct-v0:2",
		"arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.amazon.nova-micro-v1:0",
		"arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
	}
	if !reflect.DeepEqual(p.Statement[0].Resource, wantInvoke) {
		t.Errorf("invoke: %v", p.Statement[0].Resource)
	}
	wantVia := []string{
		"arn:aws:bedrock:*::foundation-model/amazon.nova-micro-v1:0",
		"arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
	}
	if !reflect.DeepEqual(p.Statement[1].Resource, wantVia) ||
		!reflect.DeepEqual(p.Statement[1].Condition["StringEquals"]["bedrock:InferenceProfileArn"], wantInvoke[2:]) {
		t.Errorf("through profiles: %+v", p.Statement[1])
	}

	// An x-defang-llm service: the table's models, in-region and through the
	// region's profiles, plus read-only discovery.
	app := resolvePolicy(t, "eu-central-1", aws.BedrockModelIds(), true)
	last := app.Statement[len(app.Statement)-1]
	if last.Sid != "DiscoverModels" || !reflect.DeepEqual(last.Resource, []string{"*"}) ||
		!reflect.DeepEqual(last.Action, []string{"bedrock:ListFoundationModels", "bedrock:ListInferenceProfiles"}) {
		t.Errorf("discovery: %+v", last)
	}
	checkBedrockOnly(t, iamPolicy{Statement: app.Statement[:len(app.Statement)-1]})
	invoke := strings.Join(app.Statement[0].Resource, " ")
	for _, want := range []string{
		"arn:aws:bedrock:eu-central-1::foundation-model/amazon.nova-micro-v1:0",
		"arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.amazon.nova-micro-v1:0",
		"arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.meta.llama3-2-3b-instruct-v1:0",
	} {
		if !strings.Contains(invoke, want) {
			t.Errorf("app policy lacks %s: %s", want, invoke)
		}
	}
	if strings.Contains(invoke, "us.") || strings.Contains(invoke, "eu.meta.llama3-3") {
		t.Errorf("app policy names profiles that do not exist in eu-central-1: %s", invoke)
	}
}

func loadCorpus(t *testing.T, name string) *compose.Project {
	t.Helper()
	file, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "corpus", "defang-samples", name, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the compose corpus is missing: %v", err)
	}
	p, _, err := compose.Load(context.Background(), compose.LoadOptions{ComposeFiles: []string{file}, WorkingDir: filepath.Dir(file)})
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return p
}

func TestPlanLLMCorpus(t *testing.T) {
	domain := "x.dev.internal"

	t.Run("managed-llm-provider", func(t *testing.T) {
		p := loadCorpus(t, "managed-llm-provider")
		pl := aws.PlanLLM(p, domain)
		if len(pl.Gateways) != 1 || len(pl.BedrockServices) != 0 || len(pl.Errors) != 0 {
			t.Fatalf("plan: %+v", pl)
		}
		g := pl.Gateways[0]
		if g.ServiceName != "llm" || g.Source != aws.GatewayFromProvider || !reflect.DeepEqual(g.Models, []string{"ai/smollm2"}) ||
			g.Url != "http://llm.x.dev.internal/api/v1/" || g.Hostname != "llm.x.dev.internal" ||
			!reflect.DeepEqual(g.Dependents, []string{"app"}) || !reflect.DeepEqual(g.Networks, []string{"default"}) ||
			g.Cpus != 0.25 || g.MemoryMiB != 512 {
			t.Errorf("gateway: %+v", g)
		}
		if g.ApiKey == nil || g.ApiKey.Value != "FAKE_TOKEN" || g.ApiKey.IsSecret() {
			t.Errorf("the gateway's key is the service's OPENAI_API_KEY: %+v", g.ApiKey)
		}
		// app sets LLM_URL and LLM_MODEL itself: they are kept, and LLM_URL
		// points at the gateway once service names become hostnames.
		if env := pl.ServiceEnv["app"]; env["LLM_URL"] != "" || env["LLM_MODEL"] != "" {
			t.Errorf("app's own values must win: %v", env)
		}
		for _, e := range p.Service("app").Environment {
			if e.Name == "LLM_URL" {
				if got := compose.RewriteServiceRefs(e.Value, map[string]string{"llm": g.Hostname}); got != g.Url {
					t.Errorf("app's LLM_URL becomes %q, want %q", got, g.Url)
				}
			}
		}
	})

	t.Run("crewai", func(t *testing.T) {
		pl := aws.PlanLLM(loadCorpus(t, "crewai"), domain)
		var names []string
		for _, g := range pl.Gateways {
			names = append(names, g.ServiceName+"="+strings.Join(g.Models, ","))
			if g.ApiKey == nil || g.ApiKey.Value != "defang" || !reflect.DeepEqual(g.Dependents, []string{"worker"}) {
				t.Errorf("%s: %+v", g.ServiceName, g)
			}
		}
		if !reflect.DeepEqual(names, []string{"chat=chat-default", "embedding=embedding-default"}) {
			t.Errorf("gateways: %v", names)
		}
		want := map[string]map[string]string{"worker": {
			"CHAT_URL": "http://chat.x.dev.internal/api/v1/", "CHAT_MODEL": "chat-default",
			"EMBEDDING_URL": "http://embedding.x.dev.internal/api/v1/", "EMBEDDING_MODEL": "embedding-default",
		}}
		if !reflect.DeepEqual(pl.ServiceEnv, want) {
			t.Errorf("env: %v", pl.ServiceEnv)
		}
		if len(pl.BedrockServices) != 0 {
			t.Errorf("bedrock services: %v", pl.BedrockServices)
		}
	})

	t.Run("mastra-nextjs", func(t *testing.T) {
		pl := aws.PlanLLM(loadCorpus(t, "mastra-nextjs"), domain)
		if len(pl.Gateways) != 0 || !reflect.DeepEqual(pl.BedrockServices, []string{"app"}) || len(pl.ServiceEnv) != 0 {
			t.Errorf("plan: %+v", pl)
		}
	})

	t.Run("agentic-langgraph", func(t *testing.T) {
		// llm runs its own gateway image: it calls Bedrock itself.
		pl := aws.PlanLLM(loadCorpus(t, "agentic-langgraph"), domain)
		if len(pl.Gateways) != 0 || !reflect.DeepEqual(pl.BedrockServices, []string{"llm"}) || len(pl.ServiceEnv) != 0 {
			t.Errorf("plan: %+v", pl)
		}
	})
}

func TestPlanLLMTopLevelModels(t *testing.T) {
	yaml := `
name: models
services:
  app:
    image: app:1
    networks: [front]
    models:
      chat-model:
      embed: {endpoint_var: EMBED_ENDPOINT, model_var: EMBED_NAME}
    environment:
      EMBED_NAME: mine
  other:
    image: other:1
    models: [chat-model]
  ai-runner:
    provider: {type: model, options: {model: ai/mistral}}
  consumer:
    image: c:1
    depends_on: [ai-runner]
networks:
  front: {}
models:
  embed: {model: ai/mxbai-embed-large}
  chat-model: {model: ai/smollm2}
  Consumer: {model: ai/llama3.2}
`
	p, _, err := compose.Load(context.Background(), compose.LoadOptions{ComposeYAML: yaml, WorkingDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	pl := aws.PlanLLM(p, "")
	var got []string
	for _, g := range pl.Gateways {
		got = append(got, g.ServiceName+" "+g.Source+" "+strings.Join(g.Models, ",")+" "+g.Url+" ["+strings.Join(g.Networks, ",")+"] ["+strings.Join(g.Dependents, ",")+"]")
		if g.ApiKey != nil {
			t.Errorf("%s: no OPENAI_API_KEY, no key: %+v", g.ServiceName, g.ApiKey)
		}
	}
	want := []string{
		"ai-runner provider ai/mistral http://ai-runner/api/v1/ [default] [consumer]",
		"chat-model models ai/smollm2 http://chat-model/api/v1/ [default,front] [app,other]",
		"embed models ai/mxbai-embed-large http://embed/api/v1/ [front] [app]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("gateways:\n got %q\nwant %q", got, want)
	}
	wantEnv := map[string]map[string]string{
		"app":      {"CHAT_MODEL_URL": "http://chat-model/api/v1/", "CHAT_MODEL_MODEL": "ai/smollm2", "EMBED_ENDPOINT": "http://embed/api/v1/"},
		"other":    {"CHAT_MODEL_URL": "http://chat-model/api/v1/", "CHAT_MODEL_MODEL": "ai/smollm2"},
		"consumer": {"AI_RUNNER_URL": "http://ai-runner/api/v1/", "AI_RUNNER_MODEL": "ai/mistral"},
	}
	if !reflect.DeepEqual(pl.ServiceEnv, wantEnv) {
		t.Errorf("env:\n got %v\nwant %v", pl.ServiceEnv, wantEnv)
	}
	// The model "Consumer" would be reachable as "consumer", a service.
	if len(pl.Errors) != 1 || pl.Errors[0].Field != "models.Consumer" || !strings.Contains(pl.Errors[0].Message, `service "consumer"`) {
		t.Errorf("errors: %v", pl.Errors)
	}
	if pl.Gateway("embed") == nil || pl.Gateway("Consumer") != nil {
		t.Error("Gateway lookup")
	}
}
