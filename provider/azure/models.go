package azure

import "strings"

// Azure OpenAI models in AI Foundry: which model deployment answers a compose
// model alias (the Azure twin of aws/bedrock.go).
//
// Compose names models the Docker way (`ai/smollm2`, `ai/llama3.2:3B-Q4_K_M`)
// or by role (`default`, `chat-default`, `embedding-default`). AI Foundry
// does not host those exact models, so each alias maps to an Azure OpenAI
// model of about the same size and purpose, pinned to a model version:
//
//	alias (":tag" ignored, case-insensitive)           Azure OpenAI model       version
//	default, chat-default, ai/smollm2, ai/smollm3,
//	ai/llama3.1, ai/llama3.2, ai/mistral               gpt-4o-mini             2024-07-18
//	ai/gemma3, ai/phi4, ai/qwen2.5, ai/qwen3,
//	ai/deepseek-r1-distill-llama                       gpt-4.1-mini            2025-04-14
//	ai/llama3.3                                        gpt-4o                  2024-11-20
//	embedding-default, ai/mxbai-embed-large,
//	ai/nomic-embed-text-v1.5, ai/all-minilm,
//	ai/embeddinggemma                                  text-embedding-3-small  1
//
// The small chat models (SmolLM, Llama 3.1 8B and 3.2 3B, Mistral 7B) map to
// gpt-4o-mini, the cheapest general chat model; the stronger or multimodal
// ones to gpt-4.1-mini, the 70B Llama to gpt-4o. An alias that is itself a
// model of the table ("gpt-4o", "text-embedding-3-small", optionally
// prefixed "openai/" or "azure/") is used as it is. Any other alias maps to
// gpt-4o-mini, or to text-embedding-3-small when its name contains "embed":
// the same forgiving default as on AWS.
//
// Every model is deployed with the GlobalStandard SKU (pay per token, served
// from any region with capacity: the SKU offered for these models in the
// most regions) and upgraded by Azure when its pinned version retires
// (versionUpgradeOption OnceCurrentVersionExpired).

// Model kinds.
const (
	ModelChat      = "chat"
	ModelEmbedding = "embedding"
)

// Default models for aliases the table does not know.
const (
	defaultAzureChatModel      = "gpt-4o-mini"
	defaultAzureEmbeddingModel = "text-embedding-3-small"
)

// AzureModel is an Azure OpenAI model deployment: what a compose alias
// resolves to.
type AzureModel struct {
	// Name and Version of the model (format OpenAI).
	Name, Version string
	// Kind is chat or embedding.
	Kind string
	// Fallback is true when the alias was not in the table and a default
	// model answers.
	Fallback bool
}

var azureModels = map[string]AzureModel{
	"gpt-4o-mini":            {Name: "gpt-4o-mini", Version: "2024-07-18", Kind: ModelChat},
	"gpt-4o":                 {Name: "gpt-4o", Version: "2024-11-20", Kind: ModelChat},
	"gpt-4.1-mini":           {Name: "gpt-4.1-mini", Version: "2025-04-14", Kind: ModelChat},
	"gpt-4.1":                {Name: "gpt-4.1", Version: "2025-04-14", Kind: ModelChat},
	"text-embedding-3-small": {Name: "text-embedding-3-small", Version: "1", Kind: ModelEmbedding},
	"text-embedding-3-large": {Name: "text-embedding-3-large", Version: "1", Kind: ModelEmbedding},
}

// azureAliases maps compose model aliases (lowercase, without ":tag") to
// models of azureModels.
var azureAliases = map[string]string{
	"default":                      defaultAzureChatModel,
	"chat-default":                 defaultAzureChatModel,
	"ai/smollm2":                   defaultAzureChatModel,
	"ai/smollm3":                   defaultAzureChatModel,
	"ai/llama3.1":                  defaultAzureChatModel,
	"ai/llama3.2":                  defaultAzureChatModel,
	"ai/mistral":                   defaultAzureChatModel,
	"ai/gemma3":                    "gpt-4.1-mini",
	"ai/phi4":                      "gpt-4.1-mini",
	"ai/qwen2.5":                   "gpt-4.1-mini",
	"ai/qwen3":                     "gpt-4.1-mini",
	"ai/deepseek-r1-distill-llama": "gpt-4.1-mini",
	"ai/llama3.3":                  "gpt-4o",
	"embedding-default":            defaultAzureEmbeddingModel,
	"ai/mxbai-embed-large":         defaultAzureEmbeddingModel,
	"ai/nomic-embed-text-v1.5":     defaultAzureEmbeddingModel,
	"ai/all-minilm":                defaultAzureEmbeddingModel,
	"ai/embeddinggemma":            defaultAzureEmbeddingModel,
}

// ResolveAzureModel returns the Azure OpenAI model that answers alias.
func ResolveAzureModel(alias string) AzureModel {
	key := strings.ToLower(strings.TrimSpace(alias))
	if i := strings.LastIndex(key, ":"); i > strings.LastIndex(key, "/") {
		key = key[:i] // "ai/llama3.2:3B-Q4_K_M" is ai/llama3.2
	}
	for _, prefix := range []string{"openai/", "azure/"} {
		if m, ok := azureModels[strings.TrimPrefix(key, prefix)]; ok {
			return m
		}
	}
	if name, ok := azureAliases[key]; ok {
		return azureModels[name]
	}
	m := azureModels[defaultAzureChatModel]
	if strings.Contains(key, "embed") {
		m = azureModels[defaultAzureEmbeddingModel]
	}
	m.Fallback = true
	return m
}
