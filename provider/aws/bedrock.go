package aws

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Amazon Bedrock: which Bedrock model answers a compose model alias, and the
// IAM rights to invoke it.
//
// # Model aliases
//
// Compose names models the Docker way (`ai/smollm2`, `ai/llama3.2:3B-Q4_K_M`)
// or by role (`default`, `chat-default`, `embedding-default`). Bedrock does
// not host those exact models, so each alias maps to the closest Bedrock
// model of its family, or to a small, cheap general model:
//
//	alias (":tag" ignored, case-insensitive)           Bedrock model                          invoked as
//	default, chat-default, ai/smollm2, ai/smollm3      amazon.nova-micro-v1:0                 geo profile
//	ai/gemma3, ai/phi4, ai/qwen2.5, ai/qwen3           amazon.nova-lite-v1:0                  geo profile
//	ai/llama3.1                                        meta.llama3-1-8b-instruct-v1:0         us profile
//	ai/llama3.2                                        meta.llama3-2-3b-instruct-v1:0         us / eu profile
//	ai/llama3.3                                        meta.llama3-3-70b-instruct-v1:0        us profile
//	ai/deepseek-r1-distill-llama                       deepseek.r1-v1:0                       us profile
//	ai/mistral                                         mistral.mistral-7b-instruct-v0:2       in-region
//	embedding-default, ai/mxbai-embed-large,
//	ai/nomic-embed-text-v1.5, ai/all-minilm,
//	ai/embeddinggemma                                  amazon.titan-embed-text-v2:0           in-region
//
// Gemma, Phi, Qwen and SmolLM have no Bedrock twin in this table: the small
// ones map to Nova Micro, the multimodal/stronger ones to Nova Lite.
//
// An alias that is already a Bedrock model id ("anthropic.claude-3-haiku-
// 20240307-v1:0", "us.amazon.nova-pro-v1:0") is used as it is. Any other
// unknown alias maps to the default chat model (Nova Micro), or to the
// default embedding model (Titan Text Embeddings V2) when its name contains
// "embed" — the same forgiving default as Defang's openai-access-gateway.
//
// # Regions
//
// Nova, Llama 3.x and DeepSeek are offered on demand only through
// cross-region inference profiles, named with a geography prefix: "us." in
// us-* regions, "eu." in eu-*, "apac." in ap-*. A model whose profile does not
// exist in the region's geography (Llama 3.3 in eu-west-1, say) falls back to
// the default chat model there rather than to an id Bedrock would reject.
// Regions outside those geographies (ca-*, sa-*, me-*, af-*, il-*, us-gov-*)
// get the in-region model id, which works only where Bedrock serves that
// model on demand. An unknown region ("" at plan time) is treated as
// us-east-1, AWS's default region. Titan embeddings and Mistral 7B are
// invoked in-region everywhere.

// Bedrock model kinds.
const (
	BedrockChat      = "chat"
	BedrockEmbedding = "embedding"
)

// Geographies of the cross-region inference profiles.
const (
	geoUS   = "us"
	geoEU   = "eu"
	geoAPAC = "apac"
)

// Default Bedrock models for aliases the table does not know.
const (
	defaultChatModel      = "amazon.nova-micro-v1:0"
	defaultEmbeddingModel = "amazon.titan-embed-text-v2:0"
)

// bedrockFamily is one Bedrock foundation model of the table.
type bedrockFamily struct {
	Kind string
	// Profiles lists the geographies with a cross-region inference profile
	// for the model. When it is not empty the model is always invoked
	// through the profile of the region's geography.
	Profiles []string
}

var bedrockFamilies = map[string]bedrockFamily{
	"amazon.nova-micro-v1:0":           {BedrockChat, []string{geoUS, geoEU, geoAPAC}},
	"amazon.nova-lite-v1:0":            {BedrockChat, []string{geoUS, geoEU, geoAPAC}},
	"meta.llama3-1-8b-instruct-v1:0":   {BedrockChat, []string{geoUS}},
	"meta.llama3-2-3b-instruct-v1:0":   {BedrockChat, []string{geoUS, geoEU}},
	"meta.llama3-3-70b-instruct-v1:0":  {BedrockChat, []string{geoUS}},
	"deepseek.r1-v1:0":                 {BedrockChat, []string{geoUS}},
	"mistral.mistral-7b-instruct-v0:2": {BedrockChat, nil},
	"amazon.titan-embed-text-v2:0":     {BedrockEmbedding, nil},
}

// bedrockAliases maps compose model aliases (lowercase, without ":tag") to
// foundation models of bedrockFamilies.
var bedrockAliases = map[string]string{
	"default":                      defaultChatModel,
	"chat-default":                 defaultChatModel,
	"ai/smollm2":                   defaultChatModel,
	"ai/smollm3":                   defaultChatModel,
	"ai/gemma3":                    "amazon.nova-lite-v1:0",
	"ai/phi4":                      "amazon.nova-lite-v1:0",
	"ai/qwen2.5":                   "amazon.nova-lite-v1:0",
	"ai/qwen3":                     "amazon.nova-lite-v1:0",
	"ai/llama3.1":                  "meta.llama3-1-8b-instruct-v1:0",
	"ai/llama3.2":                  "meta.llama3-2-3b-instruct-v1:0",
	"ai/llama3.3":                  "meta.llama3-3-70b-instruct-v1:0",
	"ai/deepseek-r1-distill-llama": "deepseek.r1-v1:0",
	"ai/mistral":                   "mistral.mistral-7b-instruct-v0:2",
	"embedding-default":            defaultEmbeddingModel,
	"ai/mxbai-embed-large":         defaultEmbeddingModel,
	"ai/nomic-embed-text-v1.5":     defaultEmbeddingModel,
	"ai/all-minilm":                defaultEmbeddingModel,
	"ai/embeddinggemma":            defaultEmbeddingModel,
}

// bedrockProviders are the first segment of a Bedrock model id
// ("<provider>.<model>"), which tells an id from a compose alias.
var bedrockProviders = map[string]bool{
	"ai21": true, "amazon": true, "anthropic": true, "cohere": true, "deepseek": true,
	"google": true, "luma": true, "meta": true, "minimax": true, "mistral": true,
	"moonshot": true, "nvidia": true, "openai": true, "qwen": true, "stability": true,
	"twelvelabs": true, "writer": true,
}

// profilePrefixes are the geography prefixes of inference profile ids.
var profilePrefixes = []string{"us-gov.", "us.", "eu.", "apac.", "jp.", "au.", "ca.", "global."}

// BedrockModel is a compose model alias resolved for one region.
type BedrockModel struct {
	// Id is what to invoke: an inference profile id ("us.amazon.nova-micro-
	// v1:0") or a foundation model id ("amazon.titan-embed-text-v2:0").
	Id string
	// FoundationModel is the foundation model behind Id.
	FoundationModel string
	// Kind is chat or embedding.
	Kind string
	// Fallback is true when the alias was not in the table, or its model is
	// not offered in the region's geography, and a default model answers.
	Fallback bool
}

// BedrockModelFor returns the Bedrock model id that serves a compose model
// alias in region (see the table above). region may be "" (treated as
// us-east-1).
func BedrockModelFor(alias, region string) (modelId string) {
	return ResolveBedrockModel(alias, region).Id
}

// ResolveBedrockModel is BedrockModelFor with the details.
func ResolveBedrockModel(alias, region string) BedrockModel {
	geo := bedrockGeo(region)
	if id := strings.TrimSpace(alias); IsBedrockModelId(id) {
		base := stripProfilePrefix(id)
		kind := BedrockChat
		if fam, ok := bedrockFamilies[base]; ok {
			kind = fam.Kind
		} else if strings.Contains(base, "embed") {
			kind = BedrockEmbedding
		}
		return BedrockModel{Id: id, FoundationModel: base, Kind: kind}
	}
	key := strings.ToLower(strings.TrimSpace(alias))
	if i := strings.LastIndex(key, ":"); i > strings.LastIndex(key, "/") {
		key = key[:i] // "ai/llama3.2:3B-Q4_K_M" is ai/llama3.2
	}
	base, known := bedrockAliases[key]
	if !known {
		base = defaultChatModel
		if strings.Contains(key, "embed") {
			base = defaultEmbeddingModel
		}
	}
	fam := bedrockFamilies[base]
	if len(fam.Profiles) > 0 && geo != "" && !contains(fam.Profiles, geo) {
		// No profile for this model in the region's geography.
		base, known = defaultChatModel, false
		fam = bedrockFamilies[base]
	}
	m := BedrockModel{Id: base, FoundationModel: base, Kind: fam.Kind, Fallback: !known}
	if len(fam.Profiles) > 0 && geo != "" {
		m.Id = geo + "." + base
	}
	return m
}

// BedrockModelIds lists the foundation models of the alias table, sorted:
// what a service that calls Bedrock itself (x-defang-llm) may invoke.
func BedrockModelIds() []string {
	return sortedKeys(bedrockFamilies)
}

// IsBedrockModelId reports whether s is a Bedrock model or inference profile
// id ("amazon.nova-micro-v1:0", "us.anthropic.claude-3-5-haiku-20241022-
// v1:0") rather than a compose alias ("ai/smollm2", "default").
func IsBedrockModelId(s string) bool {
	if s == "" || strings.ContainsAny(s, "/ ") || s != strings.TrimSpace(s) {
		return false
	}
	provider, rest, ok := strings.Cut(stripProfilePrefix(s), ".")
	return ok && rest != "" && bedrockProviders[provider]
}

func stripProfilePrefix(id string) string {
	for _, p := range profilePrefixes {
		if rest, ok := strings.CutPrefix(id, p); ok {
			if provider, _, _ := strings.Cut(rest, "."); bedrockProviders[provider] {
				return rest
			}
		}
	}
	return id
}

func profilePrefix(id string) string {
	if base := stripProfilePrefix(id); base != id {
		return strings.TrimSuffix(id, base)
	}
	return ""
}

// bedrockGeo is the inference profile geography of region, "" for regions
// outside us/eu/ap.
func bedrockGeo(region string) string {
	switch {
	case region == "":
		return geoUS // plan-time unknown: AWS's default region us-east-1
	case strings.HasPrefix(region, "us-gov-"):
		return ""
	case strings.HasPrefix(region, "us-"):
		return geoUS
	case strings.HasPrefix(region, "eu-"):
		return geoEU
	case strings.HasPrefix(region, "ap-"):
		return geoAPAC
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Bedrock IAM actions. The Converse and ConverseStream APIs have no actions
// of their own: they are authorised as bedrock:InvokeModel and
// bedrock:InvokeModelWithResponseStream, so these two cover chat
// (Converse/InvokeModel, streamed or not) and embeddings (InvokeModel).
var bedrockInvokeActions = []string{"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}

// bedrockDiscoveryActions let an application list what it may call. Neither
// action has a resource type (list calls cannot be scoped), so they need
// Resource "*"; they reveal model metadata only and invoke nothing.
var bedrockDiscoveryActions = []string{"bedrock:ListFoundationModels", "bedrock:ListInferenceProfiles"}

// BedrockTaskPolicy is the IAM policy document (JSON) that lets a task invoke
// exactly the given models in region and account, for
// FargateServiceArgs.TaskPolicy.
//
// Each entry of modelIds is one of:
//   - a compose alias ("ai/smollm2", "default"): resolved with
//     BedrockModelFor for the region, so the gateway may invoke exactly the
//     models it is configured with;
//   - an inference profile id ("us.amazon.nova-micro-v1:0"): that profile;
//   - a foundation model id ("amazon.nova-micro-v1:0"): the model in the
//     region, and, when the table invokes it through a profile in the
//     region's geography, that profile too.
//
// Granted: bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream on
// arn:aws:bedrock:<region>::foundation-model/<id> and
// arn:aws:bedrock:<region>:<account>:inference-profile/<profile id>. A
// cross-region profile sends each request to a foundation model in one of its
// destination regions, chosen by AWS per request, and IAM checks the model
// there too: so the foundation models behind the profiles are granted in
// every region ("arn:aws:bedrock:*::foundation-model/<id>", the region being
// the only wildcard), and only when the call comes through one of our
// profiles (condition bedrock:InferenceProfileArn). A list of destination
// regions would be narrower on paper but breaks whenever AWS adds one.
func BedrockTaskPolicy(region pulumi.StringInput, account pulumi.StringInput, modelIds []string) pulumi.StringOutput {
	return bedrockPolicyOutput(region, account, modelIds, false)
}

// BedrockAppTaskPolicy is BedrockTaskPolicy plus the read-only discovery
// calls (bedrock:ListFoundationModels, bedrock:ListInferenceProfiles, which
// need Resource "*"), for x-defang-llm services that run their own code and
// may list models before calling one (Defang's openai-access-gateway image
// does at startup, and rejects every model when it cannot).
func BedrockAppTaskPolicy(region pulumi.StringInput, account pulumi.StringInput, modelIds []string) pulumi.StringOutput {
	return bedrockPolicyOutput(region, account, modelIds, true)
}

func bedrockPolicyOutput(region, account pulumi.StringInput, modelIds []string, discovery bool) pulumi.StringOutput {
	ids := append([]string(nil), modelIds...)
	return pulumi.All(region, account).ApplyT(func(v []any) string {
		return bedrockPolicy(v[0].(string), v[1].(string), ids, discovery)
	}).(pulumi.StringOutput)
}

type bedrockStatement struct {
	Sid       string                         `json:"Sid"`
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

type bedrockPolicyDocument struct {
	Version   string             `json:"Version"`
	Statement []bedrockStatement `json:"Statement"`
}

// bedrockPolicy renders the policy document of BedrockTaskPolicy, sorted so
// that the same models always give the same bytes.
func bedrockPolicy(region, account string, modelIds []string, discovery bool) string {
	if region == "" {
		region = "us-east-1"
	}
	// The partition is "aws": Bedrock's China and GovCloud partitions are
	// not supported by the model table.
	direct := map[string]bool{}     // foundation-model ARNs in the region
	profiles := map[string]bool{}   // inference-profile ARNs
	viaProfile := map[string]bool{} // foundation models behind the profiles, any region
	geo := bedrockGeo(region)
	addProfile := func(profileId string) {
		profiles["arn:aws:bedrock:"+region+":"+account+":inference-profile/"+profileId] = true
		viaProfile["arn:aws:bedrock:*::foundation-model/"+stripProfilePrefix(profileId)] = true
	}
	for _, entry := range modelIds {
		entry = strings.TrimSpace(entry)
		switch {
		case entry == "":
			continue
		case !IsBedrockModelId(entry):
			if m := ResolveBedrockModel(entry, region); profilePrefix(m.Id) != "" {
				addProfile(m.Id)
			} else {
				direct["arn:aws:bedrock:"+region+"::foundation-model/"+m.Id] = true
			}
		case profilePrefix(entry) != "":
			addProfile(entry)
		default:
			direct["arn:aws:bedrock:"+region+"::foundation-model/"+entry] = true
			if fam, ok := bedrockFamilies[entry]; ok && geo != "" && contains(fam.Profiles, geo) {
				addProfile(geo + "." + entry)
			}
		}
	}
	doc := bedrockPolicyDocument{Version: "2012-10-17", Statement: []bedrockStatement{}}
	invoke := append(sortedKeys(direct), sortedKeys(profiles)...)
	if len(invoke) > 0 {
		doc.Statement = append(doc.Statement, bedrockStatement{
			Sid: "InvokeModels", Effect: "Allow", Action: bedrockInvokeActions, Resource: invoke,
		})
	}
	if len(viaProfile) > 0 {
		doc.Statement = append(doc.Statement, bedrockStatement{
			Sid: "InvokeThroughProfiles", Effect: "Allow", Action: bedrockInvokeActions,
			// "*" is the destination region only; see BedrockTaskPolicy.
			Resource:  sortedKeys(viaProfile),
			Condition: map[string]map[string][]string{"StringEquals": {"bedrock:InferenceProfileArn": sortedKeys(profiles)}},
		})
	}
	if discovery {
		doc.Statement = append(doc.Statement, bedrockStatement{
			Sid: "DiscoverModels", Effect: "Allow", Action: bedrockDiscoveryActions, Resource: []string{"*"},
		})
	}
	b, _ := json.Marshal(doc) // plain structs of strings: cannot fail
	return string(b)
}

// sortedUnique returns the distinct non-empty strings of list, sorted.
func sortedUnique(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
