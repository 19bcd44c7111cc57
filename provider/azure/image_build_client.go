package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
)

// resourceManagerURLVariable overrides the Azure Resource Manager endpoint
// of the cloud that ARM_ENVIRONMENT names: for Azure Stack Hub and
// emulators (the engine tests point it at their loopback fake).
const resourceManagerURLVariable = "DEFANG_AZURE_RESOURCE_MANAGER_URL"

// imageBuildClients holds the Azure API clients an ImageBuild uses. They are
// the real SDK clients rather than interfaces so that tests drive the SDK
// (authentication, serialisation, long-running operations, error mapping)
// against a loopback fake instead of a stub that could disagree with Azure.
//
// What the credentials the provider runs with need, per build (the
// BuildPipeline grants the two storage roles to the deployer itself):
//
//	Storage Blob Data Contributor  on the build contexts' container (upload, read back)
//	Storage Blob Delegator         on the storage account (the user delegation key of the build's read SAS)
//	Microsoft.ContainerRegistry/registries/scheduleRun/action, runs/read,
//	runs/listLogSasUrl/action, runs/cancel/action
//	                               on the registry (in Contributor; no data-plane registry role)
type imageBuildClients struct {
	registries *armcontainerregistry.RegistriesClient
	runs       *armcontainerregistry.RunsClient
	cred       azcore.TokenCredential
	options    azcore.ClientOptions // the transport and cloud of the blob clients
	// http reads a run's log through the SAS link ACR hands out; it sends
	// no credential of ours.
	http *http.Client
}

// newImageBuildClients builds the clients of one subscription.
func newImageBuildClients(subscription string, cred azcore.TokenCredential, options azcore.ClientOptions,
	httpClient *http.Client,
) (*imageBuildClients, error) {
	armOptions := &arm.ClientOptions{ClientOptions: options}
	registries, err := armcontainerregistry.NewRegistriesClient(subscription, cred, armOptions)
	if err != nil {
		return nil, err
	}
	runs, err := armcontainerregistry.NewRunsClient(subscription, cred, armOptions)
	if err != nil {
		return nil, err
	}
	return &imageBuildClients{registries: registries, runs: runs, cred: cred, options: options, http: httpClient}, nil
}

// blob is the client of one blob, by URL.
func (c *imageBuildClients) blob(blobURL string) (*blockblob.Client, error) {
	return blockblob.NewClient(blobURL, c.cred, &blockblob.ClientOptions{ClientOptions: c.options})
}

// blobService is the client of the account that serves a container URL
// (https://<account>.blob.core.windows.net/<container>).
func (c *imageBuildClients) blobService(containerURL string) (*service.Client, error) {
	u, err := url.Parse(containerURL)
	if err != nil {
		return nil, err
	}
	trimmed := strings.TrimRight(u.Path, "/")
	u.Path = trimmed[:strings.LastIndex(trimmed, "/")+1]
	return service.NewClient(u.String(), c.cred, &service.ClientOptions{ClientOptions: c.options})
}

// loadImageBuildClients authenticates as the azure-native provider's user
// would expect (see azureCredential) in the cloud that ARM_ENVIRONMENT
// names.
func loadImageBuildClients(_ context.Context, subscription string) (*imageBuildClients, error) {
	cfg, err := azureCloud()
	if err != nil {
		return nil, err
	}
	options := azcore.ClientOptions{Cloud: cfg}
	cred, err := azureCredential(options)
	if err != nil {
		return nil, err
	}
	return newImageBuildClients(subscription, cred, options, http.DefaultClient)
}

// azureCloud is the cloud of ARM_ENVIRONMENT (the azure-native provider's
// variable: public, usgovernment or china; public when unset), with the
// Resource Manager endpoint of DEFANG_AZURE_RESOURCE_MANAGER_URL when set.
func azureCloud() (cloud.Configuration, error) {
	var cfg cloud.Configuration
	switch env := strings.ToLower(os.Getenv("ARM_ENVIRONMENT")); env {
	case "", "public":
		cfg = cloud.AzurePublic
	case "usgovernment":
		cfg = cloud.AzureGovernment
	case "china":
		cfg = cloud.AzureChina
	default:
		return cfg, fmt.Errorf("ARM_ENVIRONMENT %q: defang:azure:ImageBuild knows public, usgovernment and china", env)
	}
	if endpoint := os.Getenv(resourceManagerURLVariable); endpoint != "" {
		services := map[cloud.ServiceName]cloud.ServiceConfiguration{}
		for k, v := range cfg.Services {
			services[k] = v
		}
		rm := services[cloud.ResourceManager]
		rm.Endpoint = endpoint
		services[cloud.ResourceManager] = rm
		cfg.Services = services
	}
	return cfg, nil
}

// azureCredential is the credential chain of an ImageBuild: first the
// service principal of the azure-native provider's own variables
// (ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_TENANT_ID) when all three are set,
// then DefaultAzureCredential (AZURE_* variables, workload identity, managed
// identity, the Azure CLI's `az login`, the Azure Developer CLI).
func azureCredential(options azcore.ClientOptions) (azcore.TokenCredential, error) {
	var chain []azcore.TokenCredential
	id, secret, tenant := os.Getenv("ARM_CLIENT_ID"), os.Getenv("ARM_CLIENT_SECRET"), os.Getenv("ARM_TENANT_ID")
	if id != "" && secret != "" && tenant != "" {
		sp, err := azidentity.NewClientSecretCredential(tenant, id, secret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: options})
		if err != nil {
			return nil, fmt.Errorf("the ARM_CLIENT_ID service principal: %w", err)
		}
		chain = append(chain, sp)
	}
	def, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{ClientOptions: options})
	if err != nil {
		if len(chain) == 0 {
			return nil, fmt.Errorf("no Azure credentials (az login, a managed identity or ARM_CLIENT_ID/ARM_CLIENT_SECRET/ARM_TENANT_ID): %w", err)
		}
	} else {
		chain = append(chain, def)
	}
	if len(chain) == 1 {
		return chain[0], nil
	}
	return azidentity.NewChainedTokenCredential(chain, nil)
}

// withoutURL drops the request URL from an HTTP client error: the URL of a
// log link carries a SAS, which must not reach the user's terminal or state.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
