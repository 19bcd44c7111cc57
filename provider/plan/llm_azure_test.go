package plan

import (
	"context"
	"sort"
	"strings"
	"testing"
)

// cognitiveServicesOpenAIUser is the built-in role "Cognitive Services
// OpenAI User" (https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles/ai-machine-learning#cognitive-services-openai-user).
const cognitiveServicesOpenAIUser = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"

// An x-defang-llm service with an image of its own gets, on Azure, what
// Defang documents: an AI Foundry account with a deployment of its model,
// the Cognitive Services OpenAI User role for the apps' identity on that
// account only, and its OpenAI variables pointing at the account (issue 13,
// defect 4: on e2bbae2 it got none of these).
func TestAzureLLMServiceWithItsOwnImage(t *testing.T) {
	for _, c := range []struct {
		name, model, deployment string
	}{
		{"default model", "", "gpt-4o-mini"},
		{"its MODEL", "      MODEL: ai/llama3.3\n", "gpt-4o"},
	} {
		t.Run(c.name, func(t *testing.T) {
			yaml := "name: chat\nservices:\n  app:\n    image: ghcr.io/example/chat:1\n    x-defang-llm: true\n" +
				"    ports: [\"8080:8080\"]\n    environment:\n      OPENAI_BASE_URL: https://api.openai.com/v1\n" + c.model +
				"  other:\n    image: nginx\n"
			res, err := Run(context.Background(), Options{ComposeYAML: yaml, Cloud: "azure", Mode: "balanced"})
			if err != nil {
				t.Fatal(err)
			}
			assertAzureInvariants(t, res)

			var accounts, deployments, grants []Resource
			for _, r := range res.Resources {
				switch r.Type {
				case "azure-native:cognitiveservices:Account":
					accounts = append(accounts, r)
				case "azure-native:cognitiveservices:Deployment":
					deployments = append(deployments, r)
				case "azure-native:authorization:RoleAssignment":
					if def, _ := r.Inputs["roleDefinitionId"].(string); strings.HasSuffix(def, "/roleDefinitions/"+cognitiveServicesOpenAIUser) {
						grants = append(grants, r)
					}
				}
			}
			if len(accounts) != 1 || len(deployments) != 1 || len(grants) != 1 {
				t.Fatalf("want one AI Foundry account, deployment and OpenAI User grant; got %d, %d, %d", len(accounts), len(deployments), len(grants))
			}
			account := accounts[0].Inputs["accountName"].(string)
			if accounts[0].Inputs["kind"] != "AIServices" {
				t.Errorf("account kind %v, want AIServices", accounts[0].Inputs["kind"])
			}
			if got := deployments[0].Inputs["deploymentName"]; got != c.deployment {
				t.Errorf("deployment %v, want %s", got, c.deployment)
			}
			scope, _ := grants[0].Inputs["scope"].(string)
			if !strings.HasSuffix(scope, "/providers/Microsoft.CognitiveServices/accounts/"+account) {
				t.Errorf("role granted on %q, want the account %s only", scope, account)
			}
			if grants[0].Inputs["principalType"] != "ServicePrincipal" {
				t.Errorf("the apps' identity is a service principal: %v", grants[0].Inputs["principalType"])
			}

			plain, refs := appEnv(t, res, "chat-app")
			host := "https://" + account + ".openai.azure.com/"
			want := map[string]string{
				"OPENAI_BASE_URL":       host + "openai/v1/",
				"AZURE_OPENAI_ENDPOINT": host,
				"MODEL":                 c.deployment,
			}
			for k, v := range want {
				if plain[k] != v {
					t.Errorf("%s = %q, want %q", k, plain[k], v)
				}
			}
			if plain["OPENAI_API_VERSION"] == "" || plain["AZURE_CLIENT_ID"] == "" {
				t.Errorf("OPENAI_API_VERSION and AZURE_CLIENT_ID should be set: %v", plain)
			}
			sort.Strings(refs)
			if strings.Join(refs, ",") != "AZURE_OPENAI_API_KEY,OPENAI_API_KEY" {
				t.Errorf("the account key should come from Key Vault: %v", refs)
			}
			// A service without x-defang-llm gets nothing of it.
			if other, _ := appEnv(t, res, "chat-other"); other["OPENAI_BASE_URL"] != "" {
				t.Errorf("other got %v", other)
			}
		})
	}
}

// An x-defang-llm service that also uses a model provider keeps that
// gateway's values (one OPENAI_API_KEY cannot serve two accounts): no
// account of its own. Its own OPENAI_API_KEY, set from config, gives way to
// the gateway's key.
func TestAzureLLMServiceThatUsesAGateway(t *testing.T) {
	yaml := `
name: chat
services:
  app:
    image: ghcr.io/example/chat:1
    x-defang-llm: true
    environment:
      OPENAI_API_KEY:
    depends_on: [llm]
  llm:
    provider:
      type: model
      options: {model: ai/smollm2}
`
	res, err := Run(context.Background(), Options{ComposeYAML: yaml, Cloud: "azure", Mode: "affordable", Config: map[string]string{"OPENAI_API_KEY": "sk-own"}})
	if err != nil {
		t.Fatal(err)
	}
	accounts := 0
	for _, r := range res.Resources {
		if r.Type == "azure-native:cognitiveservices:Account" {
			accounts++
		}
	}
	if accounts != 1 {
		t.Errorf("%d AI Foundry accounts, want the gateway's only", accounts)
	}
	plain, refs := appEnv(t, res, "chat-app")
	if plain["LLM_URL"] == "" || plain["OPENAI_BASE_URL"] != "" || strings.Join(refs, ",") != "OPENAI_API_KEY" {
		t.Errorf("want the gateway's values only: %v %v", plain, refs)
	}
}
