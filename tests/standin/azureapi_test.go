package standin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

const (
	azSub      = "00000000-0000-0000-0000-000000000000"
	azGroup    = "rg1"
	azRegistry = "MyRegistry"
	azAccount  = "buildsacct"
	azBlobName = "builds/contexts/0123abcd.tar.gz" // container "builds"
)

// startAzure serves an AzureAPI for the test and returns it with a managed
// identity credential that reaches it, as ImageBuild's would.
func startAzure(t *testing.T) (*AzureAPI, azcore.TokenCredential) {
	t.Helper()
	a, err := StartAzureAPI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	for _, kv := range a.Env() {
		// MSAL reads IDENTITY_ENDPOINT at every token request, so they
		// must stay set; SSL_CERT_FILE is useless in-process (Go reads it
		// once), hence Client().
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "IDENTITY_") {
			t.Setenv(k, v)
		}
	}
	cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
		ClientOptions: azcore.ClientOptions{Transport: a.Client()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, cred
}

func armOptions(a *AzureAPI) *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Transport: a.Client(),
		Cloud: cloud.Configuration{
			ActiveDirectoryAuthorityHost: a.URL + "/",
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: a.URL, Audience: "https://management.azure.com"},
			},
		},
	}}
}

func acrClients(t *testing.T, a *AzureAPI, cred azcore.TokenCredential) (*armcontainerregistry.RegistriesClient, *armcontainerregistry.RunsClient) {
	t.Helper()
	registries, err := armcontainerregistry.NewRegistriesClient(azSub, cred, armOptions(a))
	if err != nil {
		t.Fatal(err)
	}
	runs, err := armcontainerregistry.NewRunsClient(azSub, cred, armOptions(a))
	if err != nil {
		t.Fatal(err)
	}
	return registries, runs
}

func blockBlob(t *testing.T, a *AzureAPI, cred azcore.TokenCredential, name string) *blockblob.Client {
	t.Helper()
	c, err := blockblob.NewClient(a.BlobEndpoint(azAccount)+name, cred,
		&blockblob.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: a.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeTemp(t *testing.T, data []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "context.tar.gz")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/1024)
	}
	return b
}

// readSAS uploads data as azBlobName and returns a user delegation read SAS
// URL of it, as ImageBuild makes for the run.
func readSAS(t *testing.T, a *AzureAPI, cred azcore.TokenCredential, data []byte) string {
	t.Helper()
	ctx := t.Context()
	if _, err := blockBlob(t, a, cred, azBlobName).UploadFile(ctx, writeTemp(t, data), nil); err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	svc, err := service.NewClient(a.BlobEndpoint(azAccount), cred,
		&service.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: a.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	udc, err := svc.GetUserDelegationCredential(ctx, service.KeyInfo{
		Start:  to.Ptr(now.Add(-time.Minute).Format(sas.TimeFormat)),
		Expiry: to.Ptr(now.Add(time.Hour).Format(sas.TimeFormat)),
	}, nil)
	if err != nil {
		t.Fatalf("GetUserDelegationCredential: %v", err)
	}
	container, name, _ := strings.Cut(azBlobName, "/")
	qp, err := sas.BlobSignatureValues{
		Protocol:      sas.ProtocolHTTPS,
		ExpiryTime:    now.Add(time.Hour),
		Permissions:   (&sas.BlobPermissions{Read: true}).String(),
		ContainerName: container,
		BlobName:      name,
	}.SignWithUserDelegation(udc)
	if err != nil {
		t.Fatalf("SignWithUserDelegation: %v", err)
	}
	return a.BlobEndpoint(azAccount) + azBlobName + "?" + qp.Encode()
}

func dockerBuild(source string, images ...string) *armcontainerregistry.DockerBuildRequest {
	names := make([]*string, len(images))
	for i, n := range images {
		names[i] = to.Ptr(n)
	}
	return &armcontainerregistry.DockerBuildRequest{
		Type:           to.Ptr("DockerBuildRequest"),
		DockerFilePath: to.Ptr("Dockerfile"),
		Platform: &armcontainerregistry.PlatformProperties{
			OS: to.Ptr(armcontainerregistry.OSLinux), Architecture: to.Ptr(armcontainerregistry.ArchitectureAmd64),
		},
		ImageNames:     names,
		IsPushEnabled:  to.Ptr(true),
		SourceLocation: to.Ptr(source),
		Timeout:        to.Ptr[int32](3600),
	}
}

func scheduleRun(t *testing.T, registries *armcontainerregistry.RegistriesClient, req armcontainerregistry.RunRequestClassification) armcontainerregistry.Run {
	t.Helper()
	poller, err := registries.BeginScheduleRun(t.Context(), azGroup, azRegistry, req, nil)
	if err != nil {
		t.Fatalf("BeginScheduleRun: %v", err)
	}
	if !poller.Done() {
		t.Fatal("the scheduleRun poller is not done at once")
	}
	resp, err := poller.PollUntilDone(t.Context(), nil)
	if err != nil {
		t.Fatalf("PollUntilDone: %v", err)
	}
	return resp.Run
}

func runStatus(r armcontainerregistry.Run) string {
	if r.Properties == nil || r.Properties.Status == nil {
		return ""
	}
	return string(*r.Properties.Status)
}

// pollRun gets the run until it is over and returns the statuses seen.
func pollRun(t *testing.T, runs *armcontainerregistry.RunsClient, id string) (armcontainerregistry.Run, []string) {
	t.Helper()
	var seen []string
	for range 10 {
		resp, err := runs.Get(t.Context(), azGroup, azRegistry, id, nil)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		seen = append(seen, runStatus(resp.Run))
		switch runStatus(resp.Run) {
		case "Succeeded", "Failed", "Canceled":
			return resp.Run, seen
		}
	}
	t.Fatalf("run %s not over after 10 polls: %v", id, seen)
	return armcontainerregistry.Run{}, nil
}

func logOf(t *testing.T, a *AzureAPI, runs *armcontainerregistry.RunsClient, id string) (string, string) {
	t.Helper()
	link, err := runs.GetLogSasURL(t.Context(), azGroup, azRegistry, id, nil)
	if err != nil {
		t.Fatalf("GetLogSasURL: %v", err)
	}
	u := *link.LogLink
	resp, err := a.Client().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET log link: %d %s", resp.StatusCode, body)
	}
	return u, string(body)
}

func responseCode(err error) (int, string) {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode, re.ErrorCode
	}
	return 0, ""
}

func TestAzureAPIIdentity(t *testing.T) {
	a, cred := startAzure(t)
	endpoint := os.Getenv("IDENTITY_ENDPOINT")
	get := func(header, query string) (int, map[string]any) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, endpoint+"?"+query, nil)
		if header != "" {
			req.Header.Set("X-IDENTITY-HEADER", header)
		}
		resp, err := a.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	query := "api-version=2019-08-01&resource=https%3A%2F%2Fmanagement.azure.com"
	if code, _ := get("", query); code != http.StatusUnauthorized {
		t.Errorf("no X-IDENTITY-HEADER: %d, want 401", code)
	}
	if code, _ := get("wrong", query); code != http.StatusUnauthorized {
		t.Errorf("wrong X-IDENTITY-HEADER: %d, want 401", code)
	}
	code, tok := get(os.Getenv("IDENTITY_HEADER"), query)
	if code != http.StatusOK || tok["token_type"] != "Bearer" || tok["resource"] != "https://management.azure.com" ||
		tok["access_token"] == "" || tok["client_id"] == "" {
		t.Errorf("token answer: %d %v", code, tok)
	}
	if exp, _ := tok["expires_on"].(string); exp == "" {
		t.Errorf("expires_on = %v, want Unix seconds as a string", tok["expires_on"])
	}

	// Claims make MSAL skip its (process-wide) cache, so this reaches the fake.
	before := len(a.Calls())
	at, err := cred.GetToken(t.Context(), policy.TokenRequestOptions{
		Scopes: []string{"https://management.azure.com/.default"}, Claims: "{}",
	})
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	if at.Token == "" || time.Until(at.ExpiresOn) < 50*time.Minute || time.Until(at.ExpiresOn) > 61*time.Minute {
		t.Errorf("token %q expires %v", at.Token, at.ExpiresOn)
	}
	if calls := a.Calls()[before:]; !slices.Equal(calls, []string{"TOKEN"}) {
		t.Errorf("calls = %v, want one TOKEN", calls)
	}

	// The token is good for ARM, not for storage, and the other way round.
	req := func(url, token string) int {
		r, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		resp, err := a.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	runURL := a.URL + "/subscriptions/" + azSub + "/resourceGroups/" + azGroup +
		"/providers/Microsoft.ContainerRegistry/registries/" + azRegistry + "/runs/ca9?api-version=2019-06-01-preview"
	if code := req(runURL, at.Token); code != http.StatusNotFound {
		t.Errorf("ARM with a management token: %d, want 404 (no such run)", code)
	}
	if code := req(a.BlobEndpoint(azAccount)+azBlobName, at.Token); code != http.StatusUnauthorized {
		t.Errorf("blob with a management token: %d, want 401", code)
	}
	st, err := cred.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{"https://storage.azure.com/.default"}})
	if err != nil {
		t.Fatalf("GetToken storage: %v", err)
	}
	if code := req(runURL, st.Token); code != http.StatusUnauthorized {
		t.Errorf("ARM with a storage token: %d, want 401", code)
	}
}

func TestAzureAPIUnauthenticated(t *testing.T) {
	a, cred := startAzure(t)
	do := func(method, url, token string) (*http.Response, string) {
		r, _ := http.NewRequestWithContext(t.Context(), method, url, nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := a.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	arm := a.URL + "/subscriptions/" + azSub + "/resourceGroups/" + azGroup +
		"/providers/Microsoft.ContainerRegistry/registries/" + azRegistry + "/runs/ca1?api-version=2019-06-01-preview"
	resp, body := do(http.MethodGet, arm, "")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"AuthenticationFailed"`) {
		t.Errorf("ARM without a token: %d %s", resp.StatusCode, body)
	}
	resp, body = do(http.MethodGet, arm, "not-a-token")
	if resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "not-a-token") {
		t.Errorf("ARM with a bad token: %d %s", resp.StatusCode, body)
	}
	resp, body = do(http.MethodGet, a.BlobEndpoint(azAccount)+azBlobName, "")
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("x-ms-error-code") != "NoAuthenticationInformation" ||
		!strings.Contains(body, "<Code>NoAuthenticationInformation</Code>") {
		t.Errorf("blob without a token: %d %v %s", resp.StatusCode, resp.Header, body)
	}

	// Unknown paths and runs, through the SDK.
	_, runs := acrClients(t, a, cred)
	_, err := runs.Get(t.Context(), azGroup, azRegistry, "ca404", nil)
	if code, ec := responseCode(err); code != http.StatusNotFound || ec != "NotFound" {
		t.Errorf("Get unknown run: %v", err)
	}
	at, err := cred.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	resp, body = do(http.MethodGet, a.URL+"/subscriptions/"+azSub+"/resourceGroups/"+azGroup+"?api-version=2021-04-01", at.Token)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `"error"`) {
		t.Errorf("unknown ARM path: %d %s", resp.StatusCode, body)
	}
	calls := a.Calls()
	if !slices.Contains(calls, "GET run ca404") || !slices.Contains(calls, "UNKNOWN GET /subscriptions/"+azSub+"/resourceGroups/"+azGroup) {
		t.Errorf("calls = %v", calls)
	}
}

func TestAzureAPIBlobs(t *testing.T) {
	a, cred := startAzure(t)
	ctx := t.Context()
	bb := blockBlob(t, a, cred, azBlobName)
	_, err := bb.GetProperties(ctx, nil)
	if !bloberror.HasCode(err, bloberror.BlobNotFound) {
		t.Fatalf("GetProperties before upload: %v, want BlobNotFound", err)
	}

	small := []byte("a small build context")
	if _, err := bb.UploadFile(ctx, writeTemp(t, small), nil); err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	props, err := bb.GetProperties(ctx, nil)
	if err != nil {
		t.Fatalf("GetProperties: %v", err)
	}
	if props.ContentLength == nil || *props.ContentLength != int64(len(small)) || props.ETag == nil ||
		props.LastModified == nil || props.BlobType == nil || *props.BlobType != blob.BlobTypeBlockBlob {
		t.Errorf("properties = %+v", props)
	}

	// UploadFile sends one Put Blob for anything up to 256 MiB, whatever
	// BlockSize says; UploadStream stages blocks of BlockSize.
	big := pattern(2*1024*1024 + 512*1024)
	if _, err := bb.UploadFile(ctx, writeTemp(t, big), &blockblob.UploadFileOptions{BlockSize: 1024 * 1024}); err != nil {
		t.Fatalf("UploadFile big: %v", err)
	}
	if got := a.Blobs()[azAccount+"/"+azBlobName]; !bytes.Equal(got, big) {
		t.Errorf("after UploadFile: %d bytes, want %d", len(got), len(big))
	}
	streamed := blockBlob(t, a, cred, "builds/contexts/streamed.tar.gz")
	if _, err := streamed.UploadStream(ctx, bytes.NewReader(big), &blockblob.UploadStreamOptions{BlockSize: 1024 * 1024}); err != nil {
		t.Fatalf("UploadStream: %v", err)
	}
	if got := a.Blobs()[azAccount+"/builds/contexts/streamed.tar.gz"]; !bytes.Equal(got, big) {
		t.Errorf("after UploadStream: %d bytes, want %d", len(got), len(big))
	}

	var puts []string
	for _, c := range a.Calls() {
		if strings.HasPrefix(c, "PUT") || strings.HasPrefix(c, "HEAD") {
			puts = append(puts, c)
		}
	}
	want := []string{
		"HEAD /" + azAccount + "/" + azBlobName,
		"PUT /" + azAccount + "/" + azBlobName,
		"HEAD /" + azAccount + "/" + azBlobName,
		"PUT /" + azAccount + "/" + azBlobName,
		"PUT block /" + azAccount + "/builds/contexts/streamed.tar.gz",
		"PUT block /" + azAccount + "/builds/contexts/streamed.tar.gz",
		"PUT block /" + azAccount + "/builds/contexts/streamed.tar.gz",
		"PUT blocklist /" + azAccount + "/builds/contexts/streamed.tar.gz",
	}
	if !slices.Equal(puts, want) {
		t.Errorf("calls = %q\nwant %q", puts, want)
	}

	// Only-if-absent uploads (If-None-Match: *) conflict with an existing blob.
	_, err = bb.UploadFile(ctx, writeTemp(t, small), &blockblob.UploadFileOptions{AccessConditions: &blob.AccessConditions{
		ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)},
	}})
	if !bloberror.HasCode(err, bloberror.BlobAlreadyExists) {
		t.Errorf("UploadFile if none match: %v, want BlobAlreadyExists", err)
	}
}

func TestAzureAPIUserDelegationSAS(t *testing.T) {
	a, cred := startAzure(t)
	data := pattern(5000)
	link := readSAS(t, a, cred, data)
	u, _ := url.Parse(link)
	for _, p := range []string{"sig", "sv", "sr", "sp", "se", "skoid", "sktid"} {
		if u.Query().Get(p) == "" {
			t.Errorf("the SDK's SAS has no %s: %v", p, u.Query())
		}
	}
	if !slices.Contains(a.Calls(), "POST userdelegationkey "+azAccount) {
		t.Errorf("calls = %v", a.Calls())
	}

	get := func(link, rng string) (int, []byte, http.Header) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, link, nil)
		if rng != "" {
			req.Header.Set("x-ms-range", rng)
		}
		resp, err := a.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body, resp.Header
	}
	if code, body, _ := get(link, ""); code != http.StatusOK || !bytes.Equal(body, data) {
		t.Errorf("GET with SAS: %d, %d bytes", code, len(body))
	}
	if code, body, h := get(link, "bytes=4990-"); code != http.StatusPartialContent || !bytes.Equal(body, data[4990:]) ||
		h.Get("Content-Range") != "bytes 4990-4999/5000" {
		t.Errorf("GET range: %d %q %v", code, body, h)
	}

	// The same through azblob, without a credential.
	bc, err := blob.NewClientWithNoCredential(link, &blob.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: a.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	dl, err := bc.DownloadStream(t.Context(), &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 10, Count: 20}})
	if err != nil {
		t.Fatalf("DownloadStream: %v", err)
	}
	got, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if !bytes.Equal(got, data[10:30]) {
		t.Errorf("DownloadStream = %v", got)
	}

	// Broken SASes: never echoed back.
	tamper := func(key, value string) string {
		q := u.Query()
		if value == "" {
			q.Del(key)
		} else {
			q.Set(key, value)
		}
		return a.BlobEndpoint(azAccount) + azBlobName + "?" + q.Encode()
	}
	for _, c := range []struct {
		name, link, code string
	}{
		{"no se", tamper("se", ""), "AuthenticationFailed"},
		{"expired", tamper("se", time.Now().UTC().Add(-time.Minute).Format(sas.TimeFormat)), "AuthenticationFailed"},
		{"no skoid", tamper("skoid", ""), "AuthenticationFailed"},
		{"write only", tamper("sp", "w"), "AuthorizationPermissionMismatch"},
	} {
		code, body, h := get(c.link, "")
		if code != http.StatusForbidden || h.Get("x-ms-error-code") != c.code || bytes.Contains(body, []byte(u.Query().Get("sig"))) {
			t.Errorf("%s: %d %s %s", c.name, code, h.Get("x-ms-error-code"), body)
		}
	}

	// Keys last at most seven days.
	svc, err := service.NewClient(a.BlobEndpoint(azAccount), cred,
		&service.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: a.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	_, err = svc.GetUserDelegationCredential(t.Context(), service.KeyInfo{
		Start: to.Ptr(now.Format(sas.TimeFormat)), Expiry: to.Ptr(now.Add(8 * 24 * time.Hour).Format(sas.TimeFormat)),
	}, nil)
	if code, _ := responseCode(err); code != http.StatusBadRequest {
		t.Errorf("8-day key: %v, want 400", err)
	}
}

func TestAzureAPIDenyBlobData(t *testing.T) {
	a, cred := startAzure(t)
	bb := blockBlob(t, a, cred, azBlobName)
	a.DenyBlobData(2)
	for i := range 2 {
		_, err := bb.GetProperties(t.Context(), nil)
		if !bloberror.HasCode(err, bloberror.AuthorizationPermissionMismatch) {
			t.Fatalf("GetProperties %d: %v, want AuthorizationPermissionMismatch", i, err)
		}
		if code, _ := responseCode(err); code != http.StatusForbidden {
			t.Errorf("status %d, want 403", code)
		}
	}
	if _, err := bb.GetProperties(t.Context(), nil); !bloberror.HasCode(err, bloberror.BlobNotFound) {
		t.Errorf("third GetProperties: %v, want BlobNotFound", err)
	}
}

func TestAzureAPIScheduleRun(t *testing.T) {
	a, cred := startAzure(t)
	source := []byte("pretend this is a tar.gz")
	link := readSAS(t, a, cred, source)
	registries, runs := acrClients(t, a, cred)

	run := scheduleRun(t, registries, dockerBuild(link, "app:v1", "app:latest"))
	if runStatus(run) != "Queued" || run.Properties.RunID == nil || *run.Properties.RunID != "ca1" ||
		*run.Type != "Microsoft.ContainerRegistry/registries/runs" || *run.Name != "ca1" ||
		*run.ID != "/subscriptions/"+azSub+"/resourceGroups/"+azGroup+"/providers/Microsoft.ContainerRegistry/registries/"+azRegistry+"/runs/ca1" {
		t.Fatalf("scheduled run = %+v", run)
	}
	final, seen := pollRun(t, runs, "ca1")
	if !slices.Equal(seen, []string{"Started", "Running", "Succeeded"}) {
		t.Errorf("statuses = %v", seen)
	}
	digest := AzureBuildDigest(azRegistry, []string{"app:v1", "app:latest"}, source)
	p := final.Properties
	if len(p.OutputImages) != 2 || *p.OutputImages[0].Registry != "myregistry.azurecr.io" ||
		*p.OutputImages[0].Repository != "app" || *p.OutputImages[0].Tag != "v1" || *p.OutputImages[1].Tag != "latest" ||
		*p.OutputImages[0].Digest != digest || p.FinishTime == nil || p.StartTime == nil || p.RunErrorMessage != nil {
		t.Errorf("final run = %+v", p)
	}

	got := a.Runs()
	if len(got) != 1 {
		t.Fatalf("runs = %v", got)
	}
	r := got[0]
	if r.ID != "ca1" || r.Subscription != azSub || r.ResourceGroup != azGroup || r.Registry != azRegistry ||
		!bytes.Equal(r.Source, source) || r.Digest != digest || r.Status != "Succeeded" {
		t.Errorf("run = %+v", r)
	}
	if loc := r.Request["sourceLocation"]; loc != a.BlobEndpoint(azAccount)+azBlobName+"?<sas>" {
		t.Errorf("recorded sourceLocation = %v", loc)
	}
	if r.Request["type"] != "DockerBuildRequest" || r.Request["dockerFilePath"] != "Dockerfile" || r.SAS.Get("sig") == "" {
		t.Errorf("request = %v, SAS = %v", r.Request, r.SAS)
	}
	if _, text := logOf(t, a, runs, "ca1"); !strings.Contains(text, "Successfully pushed image: myregistry.azurecr.io/app:v1") ||
		!strings.HasSuffix(text, "Run ID: ca1 was successful after 4s") {
		t.Errorf("log = %s", text)
	}

	// InstantBuilds answers the finished run.
	a.InstantBuilds(true)
	run = scheduleRun(t, registries, dockerBuild(link, "app:v2"))
	if runStatus(run) != "Succeeded" || *run.Properties.RunID != "ca2" || len(run.Properties.OutputImages) != 1 {
		t.Errorf("instant run = %+v", run.Properties)
	}

	calls := a.Calls()
	for _, c := range []string{"POST scheduleRun " + azRegistry, "GET run ca1", "POST listLogSasUrl ca1", "GET log ca1"} {
		if !slices.Contains(calls, c) {
			t.Errorf("no %q in %v", c, calls)
		}
	}
}

func TestAzureAPIFailedRun(t *testing.T) {
	a, cred := startAzure(t)
	link := readSAS(t, a, cred, []byte("context"))
	registries, runs := acrClients(t, a, cred)
	a.FailBuilds("npm ERR! missing script: build")
	a.InstantBuilds(true)
	run := scheduleRun(t, registries, dockerBuild(link, "app:v1"))
	if runStatus(run) != "Failed" || run.Properties.RunErrorMessage == nil ||
		*run.Properties.RunErrorMessage != "failed during run, err: exit status 1" || len(run.Properties.OutputImages) != 0 {
		t.Errorf("failed run = %+v", run.Properties)
	}
	logLink, text := logOf(t, a, runs, "ca1")
	lines := strings.Split(text, "\n")
	if len(lines) < 40 || !slices.Contains(lines, "npm ERR! missing script: build") ||
		!strings.HasSuffix(lines[len(lines)-1], "failed during run, err: exit status 1") {
		t.Errorf("log (%d lines):\n%s", len(lines), text)
	}
	if r := a.Runs()[0]; r.Digest != "" || r.Status != "Failed" || len(r.Log) != len(lines) {
		t.Errorf("run = %+v", r)
	}

	// The log link is read by azblob too (no credential, SAS only).
	bc, err := blob.NewClientWithNoCredential(logLink, &blob.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: a.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	props, err := bc.GetProperties(t.Context(), nil)
	if err != nil || *props.ContentLength != int64(len(text)) {
		t.Errorf("log GetProperties: %v %v", err, props.ContentLength)
	}

	a.FailBuilds("")
	if run := scheduleRun(t, registries, dockerBuild(link, "app:v1")); runStatus(run) != "Succeeded" {
		t.Errorf("after FailBuilds(\"\"): %s", runStatus(run))
	}
}

func TestAzureAPIRunSourceUnreadable(t *testing.T) {
	a, cred := startAzure(t)
	link := readSAS(t, a, cred, []byte("context"))
	registries, runs := acrClients(t, a, cred)
	for _, source := range []string{
		redactURL(link), // no SAS
		strings.Replace(link, azBlobName, "builds/contexts/missing.tar.gz", 1),
		"https://elsewhere.blob.core.windows.net/builds/x.tar.gz",
	} {
		run := scheduleRun(t, registries, dockerBuild(source, "app:v1"))
		final, _ := pollRun(t, runs, *run.Properties.RunID)
		if runStatus(final) != "Failed" || final.Properties.RunErrorMessage == nil ||
			!strings.HasPrefix(*final.Properties.RunErrorMessage, "failed to download context") {
			t.Errorf("%s: %+v", source, final.Properties)
		}
		_, text := logOf(t, a, runs, *run.Properties.RunID)
		if !strings.Contains(text, "error downloading") || strings.Contains(text, "sig=") {
			t.Errorf("%s: log %s", source, text)
		}
	}
	for _, r := range a.Runs() {
		if r.Source != nil || r.Digest != "" {
			t.Errorf("run = %+v", r)
		}
	}
}

func TestAzureAPICancel(t *testing.T) {
	a, cred := startAzure(t)
	link := readSAS(t, a, cred, []byte("context"))
	registries, runs := acrClients(t, a, cred)
	run := scheduleRun(t, registries, dockerBuild(link, "app:v1"))
	poller, err := runs.BeginCancel(t.Context(), azGroup, azRegistry, *run.Properties.RunID, nil)
	if err != nil {
		t.Fatalf("BeginCancel: %v", err)
	}
	if _, err := poller.PollUntilDone(t.Context(), nil); err != nil {
		t.Fatalf("cancel PollUntilDone: %v", err)
	}
	final, _ := pollRun(t, runs, *run.Properties.RunID)
	if runStatus(final) != "Canceled" || final.Properties.FinishTime == nil {
		t.Errorf("canceled run = %+v", final.Properties)
	}
	if !slices.Contains(a.Calls(), "POST cancel ca1") {
		t.Errorf("calls = %v", a.Calls())
	}
}

// MSAL caches managed identity tokens process-wide, so a credential may
// present a token that another fake issued; every fake accepts it.
func TestAzureAPITokensAcrossFakes(t *testing.T) {
	_, cred := startAzure(t)
	if _, err := cred.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}}); err != nil {
		t.Fatal(err)
	}
	b, err := StartAzureAPI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, runs := acrClients(t, b, cred)
	_, err = runs.Get(context.Background(), azGroup, azRegistry, "ca1", nil)
	if code, _ := responseCode(err); code != http.StatusNotFound {
		t.Errorf("Get on a second fake: %v, want 404", err)
	}
}

func TestAzureNativeBlobEndpoint(t *testing.T) {
	api, err := StartAzureAPI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	_, c := start(t, AzureNative, WithBlobEndpoint(api.BlobEndpoint))
	_, out := create(t, c, "urn:pulumi:dev::app::azure-native:storage:StorageAccount::builds",
		resource.PropertyMap{"resourceGroupName": resource.NewProperty("rg1"), "accountName": resource.NewProperty("buildsacct")}, false)
	ep := out["primaryEndpoints"].ObjectValue()
	if ep["blob"].StringValue() != api.BlobEndpoint("buildsacct") || ep["dfs"].StringValue() != "https://buildsacct.dfs.core.windows.net/" {
		t.Errorf("primaryEndpoints = %v", ep)
	}
	// Other types are untouched.
	_, out = create(t, c, "urn:pulumi:dev::app::azure-native:containerregistry:Registry::reg",
		resource.PropertyMap{"resourceGroupName": resource.NewProperty("rg1"), "registryName": resource.NewProperty("reg")}, false)
	if out["loginServer"].StringValue() != "reg.azurecr.io" {
		t.Errorf("registry = %v", out)
	}
}
