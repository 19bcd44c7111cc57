package standin

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/md5" // for Content-MD5, which Azure Storage sends; not a security measure
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AzureAPI is a loopback HTTPS fake of the Azure APIs that
// defang:azure:ImageBuild calls directly, through the real Azure SDK for Go:
//
//   - managed identity, as App Service serves it (GET /msi/token with the
//     X-IDENTITY-HEADER secret), which azidentity.ManagedIdentityCredential
//     uses when IDENTITY_ENDPOINT and IDENTITY_HEADER are set;
//   - Azure Resource Manager, Microsoft.ContainerRegistry quick runs:
//     registries/{r}/scheduleRun, runs/{id}, runs/{id}/listLogSasUrl and
//     runs/{id}/cancel under /subscriptions/{s}/resourceGroups/{g}/providers/;
//   - Blob storage, path-style (/<account>/<container>/<blob>): Get Blob
//     Properties, Get Blob, Put Blob, Put Block, Put Block List and Get User
//     Delegation Key.
//
// All three share one port, told apart by the path: "/msi/token",
// "/subscriptions/..." and everything else is a blob path (so storage
// accounts named "msi" or "subscriptions" cannot be served, and "acrlogs" is
// where the run logs live).
//
// ARM requests, and blob requests without a SAS, need a bearer token the
// identity endpoint issued for the right audience (management or storage).
// Blob requests with a SAS need a user delegation SAS (or one of the run log
// links the fake signs itself); its signature is not checked, its fields are.
type AzureAPI struct {
	URL    string // https://127.0.0.1:<port>
	CAFile string // PEM of the server's self-signed certificate (valid for 127.0.0.1 and localhost)

	srv    *http.Server
	served chan struct{}
	client *http.Client
	secret string // the value of IDENTITY_HEADER
	logKey []byte // signs the run log links, as ACR's storage account key would

	mu      sync.Mutex
	calls   []string
	blobs   map[string]*azBlob           // by "account/container/blob"
	staged  map[string]map[string][]byte // uncommitted blocks, by blob and block id
	runs    map[string]*azRun            // by run id
	order   []string                     // run ids, oldest first
	counter int                          // of runs scheduled, for their ids
	failMsg string
	instant bool
	deny    int // bearer-authenticated blob requests still to refuse
}

// AzureRun is one ACR quick run (a docker build) the fake scheduled.
type AzureRun struct {
	ID, Subscription, ResourceGroup, Registry string
	// Request is the DockerBuildRequest as received (JSON decoded), with the
	// query of sourceLocation replaced by "?<sas>".
	Request map[string]any
	SAS     url.Values // the query of sourceLocation
	Source  []byte     // the blob the run fetched through sourceLocation (nil if it could not)
	Digest  string     // "sha256:<hex>" of the pushed image, once Succeeded
	Status  string     // Queued, Started, Running, Succeeded, Failed or Canceled
	Log     []string   // its log so far
}

// Identity of the fake's managed identity: the tenant, client and principal
// ids its tokens and user delegation keys carry. The tenant is the one the
// azure-native stand-in reports.
const (
	azureTenantID    = azureZeroID
	azureClientID    = "11111111-1111-1111-1111-111111111111"
	azurePrincipalID = "22222222-2222-2222-2222-222222222222"
)

// azureStorageVersion is the x-ms-version the fake answers with when the
// request names none (the one azblob v1.8.0 sends).
const azureStorageVersion = "2026-06-06"

// azureIssued holds the access tokens issued by every AzureAPI in this
// process, with their audience and expiry. They are shared because MSAL's
// managed identity token cache is process-wide: a credential talking to a
// second fake gets the token the first one issued, as a real credential
// would get one valid for the whole tenant.
var azureIssued = struct {
	sync.Mutex
	tokens map[string]azToken
}{tokens: map[string]azToken{}}

type azToken struct {
	audience string
	expires  time.Time
}

type azBlob struct {
	data        []byte
	contentType string
	metadata    map[string]string // x-ms-meta-* headers, as sent
	blocks      map[string][]byte // committed blocks by id (for Put Block List's <Committed>)
	etag        string
	created     time.Time
	modified    time.Time
}

type azRun struct {
	AzureRun
	request  []byte      // Request, JSON encoded, so that Runs hands out fresh copies
	digest   string      // the digest it pushes if it succeeds
	images   [][2]string // repository and tag of each image name
	pending  [][]string  // the log lines each next status adds
	outcome  string      // Succeeded or Failed
	errorMsg string      // runErrorMessage when it failed
	platform any
	agent    any
	created  time.Time
	started  time.Time
	finished time.Time
}

// StartAzureAPI serves the fake over TLS on 127.0.0.1 and a free port, with
// a certificate made for it, written to dir as CAFile.
func StartAzureAPI(dir string) (*AzureAPI, error) {
	cert, pemBytes, err := selfSignedCert()
	if err != nil {
		return nil, fmt.Errorf("Azure API fake: %w", err)
	}
	caFile := filepath.Join(dir, "azureapi-ca.pem")
	if err := os.WriteFile(caFile, pemBytes, 0o644); err != nil {
		return nil, fmt.Errorf("Azure API fake: %w", err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pemBytes)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("Azure API fake: %w", err)
	}
	a := &AzureAPI{
		URL:    "https://" + lis.Addr().String(),
		CAFile: caFile,
		served: make(chan struct{}),
		client: &http.Client{Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
			ForceAttemptHTTP2: true,
		}},
		secret: randomHex(16),
		logKey: []byte(randomHex(32)),
		blobs:  map[string]*azBlob{},
		staged: map[string]map[string][]byte{},
		runs:   map[string]*azRun{},
	}
	a.srv = &http.Server{
		Handler:           http.HandlerFunc(a.serve),
		ReadHeaderTimeout: 30 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		// Clients that do not trust the certificate fail on their side,
		// with a clearer message than the server's handshake log.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(a.served)
		_ = a.srv.ServeTLS(lis, "", "")
	}()
	return a, nil
}

// selfSignedCert makes a certificate for 127.0.0.1 and localhost that is
// its own root, as httptest's is, but fresh for every fake.
func selfSignedCert() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "standin Azure API"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemBytes, nil
}

// Close stops the fake.
func (a *AzureAPI) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a.client.CloseIdleConnections()
	if err := a.srv.Shutdown(ctx); err != nil {
		_ = a.srv.Close()
	}
	<-a.served
}

// Env is what a plugin process needs to reach the fake: SSL_CERT_FILE (Go
// then trusts only the fake's certificate), IDENTITY_ENDPOINT and
// IDENTITY_HEADER (azidentity's managed identity, App Service flavour) and
// DEFANG_AZURE_RESOURCE_MANAGER_URL (the ARM endpoint ImageBuild uses instead
// of https://management.azure.com).
func (a *AzureAPI) Env() []string {
	return []string{
		"SSL_CERT_FILE=" + a.CAFile,
		"IDENTITY_ENDPOINT=" + a.URL + "/msi/token",
		"IDENTITY_HEADER=" + a.secret,
		"DEFANG_AZURE_RESOURCE_MANAGER_URL=" + a.URL,
	}
}

// Client is an HTTP client that trusts the fake's certificate, for use as
// the Transport of SDK clients in this process (Go reads SSL_CERT_FILE only
// once per process).
func (a *AzureAPI) Client() *http.Client { return a.client }

// BlobEndpoint is a storage account's blob endpoint on the fake, path-style:
// <URL>/<account>/.
func (a *AzureAPI) BlobEndpoint(account string) string { return a.URL + "/" + account + "/" }

// Calls lists the requests so far, in order: "TOKEN",
// "HEAD /<account>/<container>/<blob>", "GET /<account>/<container>/<blob>",
// "PUT /<account>/<container>/<blob>" (Put Blob), "PUT block /<a>/<c>/<b>",
// "PUT blocklist /<a>/<c>/<b>", "POST userdelegationkey <account>",
// "POST scheduleRun <registry>", "GET run <id>", "POST listLogSasUrl <id>",
// "POST cancel <id>", "GET log <id>" (and "HEAD log <id>"); anything else as
// "UNKNOWN <method> <path>". Refused requests are listed too.
func (a *AzureAPI) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

// Blobs returns the committed blobs, keyed "<account>/<container>/<blob>".
func (a *AzureAPI) Blobs() map[string][]byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string][]byte, len(a.blobs))
	for k, b := range a.blobs {
		out[k] = append([]byte(nil), b.data...)
	}
	return out
}

// Runs returns the runs scheduled so far, oldest first.
func (a *AzureAPI) Runs() []AzureRun {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]AzureRun, 0, len(a.order))
	for _, id := range a.order {
		r := a.runs[id]
		c := r.AzureRun
		_ = json.Unmarshal(r.request, &c.Request)
		c.SAS = url.Values{}
		for k, v := range r.SAS {
			c.SAS[k] = append([]string(nil), v...)
		}
		if r.Source != nil {
			c.Source = append([]byte(nil), r.Source...)
		}
		c.Log = append([]string(nil), r.Log...)
		out = append(out, c)
	}
	return out
}

// FailBuilds makes the runs scheduled from now on end Failed, with message
// as a line of their log. An empty message makes them succeed again.
func (a *AzureAPI) FailBuilds(message string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failMsg = message
}

// InstantBuilds makes scheduleRun answer with the finished run (Succeeded
// or Failed) instead of a Queued one that advances a status per GET.
func (a *AzureAPI) InstantBuilds(on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.instant = on
}

// DenyBlobData makes the next n blob requests authenticated by a bearer
// token (Get User Delegation Key included) answer 403
// AuthorizationPermissionMismatch, as Azure does while a new role assignment
// has not reached the storage account yet.
func (a *AzureAPI) DenyBlobData(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.deny = n
}

// AzureBuildDigest is the digest of the image a successful run pushes: the
// hex SHA-256 of the registry name (lower case), NUL, each image name
// followed by NUL, and the source (the build context blob).
func AzureBuildDigest(registry string, imageNames []string, source []byte) string {
	h := sha256.New()
	h.Write([]byte(strings.ToLower(registry)))
	h.Write([]byte{0})
	for _, n := range imageNames {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	h.Write(source)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func (a *AzureAPI) record(call string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, call)
}

func (a *AzureAPI) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-ms-request-id", newUUID())
	switch {
	case r.URL.Path == "/msi/token":
		a.identity(w, r)
	case hasPrefixFold(r.URL.Path, "/subscriptions/"):
		a.arm(w, r)
	default:
		a.blob(w, r)
	}
}

// azSurface is which of the fake's APIs answers, for the shape of errors.
type azSurface int

const (
	surfaceIdentity azSurface = iota
	surfaceARM
	surfaceBlob
)

// azFail writes an error as each API does: ARM's JSON {"error": {code,
// message}}, storage's XML <Error> with the code also in x-ms-error-code
// (the only place a HEAD answer can carry it), or the identity endpoint's
// JSON. Messages never contain a SAS signature or a token.
func azFail(w http.ResponseWriter, s azSurface, status int, code, message string) {
	switch s {
	case surfaceARM:
		azJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message}})
	case surfaceBlob:
		w.Header().Set("x-ms-error-code", code)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><Error><Code>%s</Code><Message>%s
RequestId:%s
Time:%s</Message></Error>`, code, xmlEscape(message), w.Header().Get("x-ms-request-id"),
			time.Now().UTC().Format("2006-01-02T15:04:05.0000000Z"))
	default:
		azJSON(w, status, map[string]any{"error": code, "error_description": message})
	}
}

func azJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// identity serves the App Service managed identity endpoint
// (api-version 2019-08-01), as MSAL's managedidentity package calls it.
func (a *AzureAPI) identity(w http.ResponseWriter, r *http.Request) {
	a.record("TOKEN")
	q := r.URL.Query()
	switch {
	case r.Method != http.MethodGet:
		azFail(w, surfaceIdentity, http.StatusMethodNotAllowed, "invalid_request", "the identity endpoint answers GET only")
	case subtle.ConstantTimeCompare([]byte(r.Header.Get("X-IDENTITY-HEADER")), []byte(a.secret)) != 1:
		azFail(w, surfaceIdentity, http.StatusUnauthorized, "unauthorized_client",
			"the X-IDENTITY-HEADER header is missing or is not IDENTITY_HEADER")
	case q.Get("api-version") != "2019-08-01":
		azFail(w, surfaceIdentity, http.StatusBadRequest, "invalid_request", "api-version must be 2019-08-01")
	case q.Get("resource") == "":
		azFail(w, surfaceIdentity, http.StatusBadRequest, "invalid_request", "the resource parameter is required")
	default:
		token, expires := issueToken(q.Get("resource"))
		azJSON(w, http.StatusOK, map[string]any{
			"access_token": token,
			// App Service gives expires_on as a string of Unix seconds;
			// MSAL parses that (and numbers, and expires_in).
			"expires_on": strconv.FormatInt(expires.Unix(), 10),
			"resource":   q.Get("resource"),
			"token_type": "Bearer",
			"client_id":  azureClientID,
		})
	}
}

// issueToken makes a JWT-shaped access token for the audience, good for an
// hour. Its signature is random, so no two tokens are alike.
func issueToken(resource string) (string, time.Time) {
	now := time.Now()
	expires := now.Add(time.Hour).Truncate(time.Second)
	aud := strings.TrimSuffix(resource, "/")
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]any{"typ": "JWT", "alg": "RS256"})
	claims, _ := json.Marshal(map[string]any{
		"aud": resource, "iss": "https://sts.windows.net/" + azureTenantID + "/",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": expires.Unix(),
		"appid": azureClientID, "oid": azurePrincipalID, "sub": azurePrincipalID, "tid": azureTenantID,
		"idtyp": "app",
	})
	token := enc.EncodeToString(header) + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString(randomBytes(32))
	azureIssued.Lock()
	defer azureIssued.Unlock()
	for t, info := range azureIssued.tokens {
		if now.After(info.expires) {
			delete(azureIssued.tokens, t)
		}
	}
	azureIssued.tokens[token] = azToken{audience: aud, expires: expires}
	return token, expires
}

// authProblem is why a bearer token is not accepted.
type authProblem int

const (
	authOK authProblem = iota
	authMissing
	authInvalid
	authAudience
)

// checkBearer checks r's Authorization header against the issued tokens;
// audienceOK says which audiences the API accepts.
func checkBearer(r *http.Request, audienceOK func(string) bool) authProblem {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return authMissing
	}
	azureIssued.Lock()
	info, known := azureIssued.tokens[token]
	azureIssued.Unlock()
	switch {
	case !known || time.Now().After(info.expires):
		return authInvalid
	case !audienceOK(info.audience):
		return authAudience
	}
	return authOK
}

func armAudience(aud string) bool {
	return aud == "https://management.azure.com" || aud == "https://management.core.windows.net"
}

// arm serves the ACR run operations (api-version 2019-06-01-preview, as
// armcontainerregistry v1.2.0 sends; the other versions that have runs are
// accepted too).
func (a *AzureAPI) arm(w http.ResponseWriter, r *http.Request) {
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var sub, group, registry, op, runID string
	if len(seg) >= 9 && strings.EqualFold(seg[2], "resourceGroups") && strings.EqualFold(seg[4], "providers") &&
		strings.EqualFold(seg[5], "Microsoft.ContainerRegistry") && strings.EqualFold(seg[6], "registries") {
		sub, group, registry = seg[1], seg[3], seg[7]
		rest := seg[8:]
		switch {
		case len(rest) == 1 && strings.EqualFold(rest[0], "scheduleRun") && r.Method == http.MethodPost:
			op = "scheduleRun"
		case len(rest) == 2 && strings.EqualFold(rest[0], "runs") && r.Method == http.MethodGet:
			op, runID = "run", rest[1]
		case len(rest) == 3 && strings.EqualFold(rest[0], "runs") && strings.EqualFold(rest[2], "listLogSasUrl") &&
			r.Method == http.MethodPost:
			op, runID = "listLogSasUrl", rest[1]
		case len(rest) == 3 && strings.EqualFold(rest[0], "runs") && strings.EqualFold(rest[2], "cancel") &&
			r.Method == http.MethodPost:
			op, runID = "cancel", rest[1]
		}
	}
	switch op {
	case "scheduleRun":
		a.record("POST scheduleRun " + registry)
	case "run":
		a.record("GET run " + runID)
	case "":
		a.record("UNKNOWN " + r.Method + " " + r.URL.Path)
	default:
		a.record("POST " + op + " " + runID)
	}

	switch checkBearer(r, armAudience) {
	case authMissing:
		azFail(w, surfaceARM, http.StatusUnauthorized, "AuthenticationFailed",
			"Authentication failed. The 'Authorization' header is missing.")
		return
	case authInvalid:
		azFail(w, surfaceARM, http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
		return
	case authAudience:
		azFail(w, surfaceARM, http.StatusUnauthorized, "InvalidAuthenticationTokenAudience",
			"The access token has been obtained for wrong audience or resource. It should exactly match with one of "+
				"the allowed audiences 'https://management.core.windows.net/','https://management.azure.com/'.")
		return
	}
	if op == "" {
		azFail(w, surfaceARM, http.StatusNotFound, "NotFound", "the fake Azure API does not serve "+r.Method+" "+r.URL.Path)
		return
	}
	switch v := r.URL.Query().Get("api-version"); v {
	case "2019-04-01", "2019-06-01-preview", "2025-03-01-preview":
	case "":
		azFail(w, surfaceARM, http.StatusBadRequest, "MissingApiVersionParameter",
			"The api-version query parameter (?api-version=) is required for all requests.")
		return
	default:
		azFail(w, surfaceARM, http.StatusBadRequest, "NoRegisteredProviderFound",
			"No registered resource provider found for location and API version '"+v+"'.")
		return
	}

	if op == "scheduleRun" {
		a.scheduleRun(w, r, sub, group, registry)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	run, ok := a.runs[runID]
	if !ok || !strings.EqualFold(run.Subscription, sub) || !strings.EqualFold(run.ResourceGroup, group) ||
		!strings.EqualFold(run.Registry, registry) {
		azFail(w, surfaceARM, http.StatusNotFound, "NotFound", "The run '"+runID+"' was not found.")
		return
	}
	switch op {
	case "run":
		run.advance()
		azJSON(w, http.StatusOK, run.json())
	case "listLogSasUrl":
		azJSON(w, http.StatusOK, map[string]any{"logLink": a.logLink(run.ID)})
	case "cancel":
		// Canceling a finished run changes nothing. The answer is a 200
		// without a body or polling headers, which the SDK's poller takes
		// as done.
		run.cancel()
		w.WriteHeader(http.StatusOK)
	}
}

// scheduleRun queues a DockerBuildRequest. The run fetches its source at
// once, so the outcome is known from the start; it is revealed a status at
// a time (or at once with InstantBuilds).
func (a *AzureAPI) scheduleRun(w http.ResponseWriter, r *http.Request, sub, group, registry string) {
	body, err := io.ReadAll(r.Body)
	var req map[string]any
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		azFail(w, surfaceARM, http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid: "+err.Error())
		return
	}
	if t, _ := req["type"].(string); t != "DockerBuildRequest" {
		azFail(w, surfaceARM, http.StatusBadRequest, "BadRequest",
			fmt.Sprintf("the fake Azure API runs DockerBuildRequest only, not %q", t))
		return
	}
	if p, _ := req["dockerFilePath"].(string); p == "" {
		azFail(w, surfaceARM, http.StatusBadRequest, "BadRequest", "dockerFilePath is required")
		return
	}
	platform, _ := req["platform"].(map[string]any)
	if osName, _ := platform["os"].(string); osName == "" {
		azFail(w, surfaceARM, http.StatusBadRequest, "BadRequest", "platform.os is required")
		return
	}
	var names []string
	if list, ok := req["imageNames"].([]any); ok {
		for _, n := range list {
			if s, ok := n.(string); ok {
				names = append(names, s)
			}
		}
	}

	// Keep the SAS out of Request: tests print requests, and the SAS is a
	// credential.
	source, _ := req["sourceLocation"].(string)
	var sas url.Values
	if base, query, found := strings.Cut(source, "?"); found {
		sas, _ = url.ParseQuery(query)
		req["sourceLocation"] = base + "?<sas>"
	}
	redacted, _ := json.Marshal(req)

	a.mu.Lock()
	defer a.mu.Unlock()
	a.counter++
	run := &azRun{
		AzureRun: AzureRun{ID: "ca" + strconv.Itoa(a.counter), Subscription: sub, ResourceGroup: group,
			Registry: registry, SAS: sas, Status: "Queued"},
		request:  redacted,
		platform: platform,
		agent:    req["agentConfiguration"],
		created:  time.Now().UTC(),
	}
	if run.agent == nil {
		run.agent = map[string]any{"cpu": 2}
	}
	loginServer := strings.ToLower(registry) + ".azurecr.io"
	for _, n := range names {
		n = strings.NewReplacer("{{.Run.ID}}", run.ID, "{{.Run.Registry}}", loginServer).Replace(n)
		n = strings.TrimPrefix(n, loginServer+"/")
		repo, tag := n, "latest"
		if i := strings.LastIndex(n, ":"); i > strings.LastIndex(n, "/") {
			repo, tag = n[:i], n[i+1:]
		}
		run.images = append(run.images, [2]string{repo, tag})
	}
	data, why := a.fetchSource(source)
	switch {
	case why != "":
		run.outcome, run.errorMsg = "Failed", "failed to download context. Please check if hyperlinks are accessible."
		run.script(loginServer, redactURL(source), why, "")
	case a.failMsg != "":
		run.Source = data
		run.outcome, run.errorMsg = "Failed", "failed during run, err: exit status 1"
		run.script(loginServer, "", "", a.failMsg)
	default:
		run.Source = data
		run.outcome, run.digest = "Succeeded", AzureBuildDigest(registry, names, data)
		run.script(loginServer, "", "", "")
	}
	if a.instant {
		for run.advance() {
		}
	}
	a.runs[run.ID] = run
	a.order = append(a.order, run.ID)
	azJSON(w, http.StatusOK, run.json())
}

// fetchSource reads sourceLocation as the ACR agent would, anonymously but
// for the SAS in it: it must name a committed blob on this fake. It returns
// the blob, or why it could not be read. a.mu is held.
func (a *AzureAPI) fetchSource(source string) ([]byte, string) {
	u, err := url.Parse(source)
	if err != nil || source == "" {
		return nil, "sourceLocation is not a URL"
	}
	if u.Scheme != "https" || u.Host != strings.TrimPrefix(a.URL, "https://") {
		return nil, "the fake Azure API can only fetch https://" + strings.TrimPrefix(a.URL, "https://") + "/..."
	}
	key := strings.TrimPrefix(u.Path, "/")
	q := u.Query()
	if !q.Has("sig") {
		return nil, "GET " + redactURL(source) + ": 404 ResourceNotFound (no SAS; the container is not public)"
	}
	if status, code, detail := a.sasProblem(key, q, "r"); status != 0 {
		return nil, fmt.Sprintf("GET %s: %d %s: %s", redactURL(source), status, code, detail)
	}
	b, ok := a.blobs[key]
	if !ok {
		return nil, "GET " + redactURL(source) + ": 404 BlobNotFound"
	}
	return append([]byte(nil), b.data...), ""
}

// script writes the log of the run, in the parts each status adds: Queued,
// Started, Running and the end. A run ends as if ACR ran
// "docker build" and pushed, failed to download its source (downloadErr) or
// failed in a RUN step (failMsg); the failed build's log is longer than 40
// lines so that a tail of it is not the whole.
func (r *azRun) script(loginServer, source, downloadErr, failMsg string) {
	t := r.created
	stamp := func(s string) string {
		t = t.Add(200 * time.Millisecond)
		return t.Format("2006/01/02 15:04:05") + " " + s
	}
	layer := func(step string) string {
		sum := sha256.Sum256([]byte(r.ID + step))
		return hex.EncodeToString(sum[:6])
	}
	queued := []string{"Queued a build with ID: " + r.ID, "Waiting for an agent..."}
	started := []string{stamp("Downloading source code...")}
	var running, end []string
	// However the script ends, Queued's part is the log so far and the
	// others wait for advance.
	defer func() { r.Log, r.pending = queued, [][]string{started, running, end} }()
	if downloadErr != "" {
		started = append(started, stamp("error downloading "+source+": "+downloadErr))
		end = []string{r.errorMsg, "Run ID: " + r.ID + " failed after 1s. Error: " + r.errorMsg}
		return
	}
	started = append(started,
		stamp("Finished downloading source code"),
		stamp("Using acb_vol_"+layer("vol")+" as the home volume"),
		stamp("Setting up Docker configuration..."),
		stamp("Successfully set up Docker configuration"),
		stamp("Logging in to registry: "+loginServer),
		stamp("Successfully logged into "+loginServer),
	)
	running = []string{
		stamp("Executing step ID: build. Timeout(sec): 28800, Working directory: '', Network: ''"),
		stamp("Scanning for dependencies..."),
		stamp("Successfully scanned dependencies"),
		stamp("Launching container with name: build"),
		fmt.Sprintf("Sending build context to Docker daemon  %d B", len(r.Source)),
		"Step 1/3 : FROM alpine:3.20",
		" ---> " + layer("1"),
		"Step 2/3 : COPY . /src",
		" ---> " + layer("2"),
		"Step 3/3 : RUN /src/build.sh",
		" ---> Running in " + layer("run"),
	}
	for i := 1; i <= 24; i++ {
		running = append(running, fmt.Sprintf("build: step %d of 24 done", i))
	}
	if failMsg != "" {
		running = append(running, strings.Split(failMsg, "\n")...)
		end = []string{
			"The command '/bin/sh -c /src/build.sh' returned a non-zero code: 1",
			stamp("Container failed during run: build. No retries remaining."),
			"failed to run step ID: build: exit status 1",
			"",
			"Run ID: " + r.ID + " failed after 4s. Error: " + r.errorMsg,
		}
	} else {
		running = append(running, "Removing intermediate container "+layer("run"), " ---> "+layer("3"),
			"Successfully built "+layer("3"))
		for _, im := range r.images {
			running = append(running, "Successfully tagged "+loginServer+"/"+im[0]+":"+im[1])
		}
		running = append(running, stamp("Successfully executed container: build"))
		for _, im := range r.images {
			ref := loginServer + "/" + im[0] + ":" + im[1]
			end = append(end, stamp("Pushing image: "+ref+", attempt 1"),
				"The push refers to repository ["+loginServer+"/"+im[0]+"]",
				im[1]+": digest: "+r.digest+" size: 1234",
				stamp("Successfully pushed image: "+ref))
		}
		end = append(end, stamp("Step ID: build marked as successful (elapsed time in seconds: 3.000000)"),
			stamp("Populating digests for step ID: build..."),
			stamp("Successfully populated digests for step ID: build"),
			"", "Run ID: "+r.ID+" was successful after 4s")
	}
}

// advance moves the run one status on (Queued → Started → Running → its
// outcome) and adds that part of its log; false when it was over already.
func (r *azRun) advance() bool {
	if len(r.pending) == 0 {
		return false
	}
	r.Log = append(r.Log, r.pending[0]...)
	r.pending = r.pending[1:]
	now := time.Now().UTC()
	switch {
	case len(r.pending) == 0:
		r.Status, r.finished = r.outcome, now
		if r.outcome == "Succeeded" {
			r.Digest = r.digest
		}
	case r.Status == "Queued":
		r.Status, r.started = "Started", now
	default:
		r.Status = "Running"
	}
	return true
}

func (r *azRun) cancel() {
	if len(r.pending) == 0 {
		return
	}
	r.pending = nil
	r.Status, r.finished = "Canceled", time.Now().UTC()
	r.Log = append(r.Log, "Run ID: "+r.ID+" was canceled")
}

// json is the run as ACR shows it (the Run resource).
func (r *azRun) json() map[string]any {
	id := "/subscriptions/" + r.Subscription + "/resourceGroups/" + r.ResourceGroup +
		"/providers/Microsoft.ContainerRegistry/registries/" + r.Registry + "/runs/" + r.ID
	last := r.created
	props := map[string]any{
		"runId":              r.ID,
		"status":             r.Status,
		"runType":            "QuickBuild",
		"createTime":         r.created.Format(time.RFC3339Nano),
		"provisioningState":  "Succeeded",
		"platform":           r.platform,
		"agentConfiguration": r.agent,
		"isArchiveEnabled":   false,
	}
	if !r.started.IsZero() {
		props["startTime"], last = r.started.Format(time.RFC3339Nano), r.started
	}
	if !r.finished.IsZero() {
		props["finishTime"], last = r.finished.Format(time.RFC3339Nano), r.finished
	}
	props["lastUpdatedTime"] = last.Format(time.RFC3339Nano)
	switch r.Status {
	case "Succeeded":
		images := []any{}
		for _, im := range r.images {
			images = append(images, map[string]any{"registry": strings.ToLower(r.Registry) + ".azurecr.io",
				"repository": im[0], "tag": im[1], "digest": r.Digest})
		}
		props["outputImages"] = images
	case "Failed":
		props["runErrorMessage"] = r.errorMsg
	}
	return map[string]any{"id": id, "name": r.ID, "type": "Microsoft.ContainerRegistry/registries/runs",
		"properties": props}
}

// logLink is a read SAS URL of the run's log, signed with the fake's own
// key as ACR signs its log links with its storage account's key.
func (a *AzureAPI) logLink(runID string) string {
	path := "acrlogs/runs/" + runID + ".log"
	q := url.Values{
		"sv": {"2021-08-06"}, "sr": {"b"}, "sp": {"r"},
		"se": {time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04:05Z")},
	}
	q.Set("sig", a.sign(path, q))
	return a.URL + "/" + path + "?" + q.Encode()
}

func (a *AzureAPI) sign(path string, q url.Values) string {
	mac := hmac.New(sha256.New, a.logKey)
	fmt.Fprintf(mac, "%s\n%s\n%s\n%s", path, q.Get("sp"), q.Get("se"), q.Get("sr"))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// sasProblem says why the SAS q does not allow an operation needing one of
// the permissions in need on the blob key: an HTTP status, error code and
// detail, or 0 when it does. A SAS must be a user delegation SAS of this
// fake's identity (skoid, sktid), or one the fake signed itself (run logs).
// Its signature is not checked otherwise.
func (a *AzureAPI) sasProblem(key string, q url.Values, need string) (int, string, string) {
	const authFailed = "AuthenticationFailed"
	for _, p := range []string{"sig", "sv", "sr", "sp", "se"} {
		if q.Get(p) == "" {
			return http.StatusForbidden, authFailed, "sv, sr, sp, se and sig are mandatory. Missing: " + p
		}
	}
	now := time.Now()
	se, err := time.Parse(time.RFC3339, q.Get("se"))
	if err != nil {
		return http.StatusForbidden, authFailed, "se is not an ISO 8601 UTC time"
	}
	if !se.After(now) {
		return http.StatusForbidden, authFailed, "Signed expiry time [" + se.UTC().Format(http.TimeFormat) +
			"] must be after signed start time and current time [" + now.UTC().Format(http.TimeFormat) + "]"
	}
	if st := q.Get("st"); st != "" {
		if t, err := time.Parse(time.RFC3339, st); err != nil || t.After(now.Add(5*time.Minute)) {
			return http.StatusForbidden, authFailed, "Signed start time is not yet valid"
		}
	}
	if spr := q.Get("spr"); spr != "" && !strings.Contains(spr, "https") {
		return http.StatusForbidden, "AuthorizationProtocolMismatch", "This request is not authorized to perform this operation using this protocol."
	}
	switch q.Get("sr") {
	case "b", "c", "bs", "bv":
	default:
		return http.StatusForbidden, authFailed, "sr must be b or c for a blob"
	}
	selfSigned := hmac.Equal([]byte(q.Get("sig")), []byte(a.sign(key, q)))
	if !selfSigned {
		if q.Get("skoid") == "" || q.Get("sktid") == "" {
			return http.StatusForbidden, authFailed, "not a user delegation SAS (skoid and sktid are missing); " +
				"the fake accepts no account key SAS"
		}
		if q.Get("skoid") != azurePrincipalID || q.Get("sktid") != azureTenantID {
			return http.StatusForbidden, authFailed, "the user delegation key was not issued by this account"
		}
		if ske := q.Get("ske"); ske != "" {
			if t, err := time.Parse(time.RFC3339, ske); err != nil || !t.After(now) {
				return http.StatusForbidden, authFailed, "the user delegation key has expired"
			}
		}
	}
	if !strings.ContainsAny(q.Get("sp"), need) {
		return http.StatusForbidden, "AuthorizationPermissionMismatch",
			"This request is not authorized to perform this operation using this permission."
	}
	return 0, "", ""
}

func storageAudience(account string) func(string) bool {
	return func(aud string) bool {
		return aud == "https://storage.azure.com" || aud == "https://"+account+".blob.core.windows.net"
	}
}

// blob serves Blob storage, path-style: /<account>/<container>/<blob>.
func (a *AzureAPI) blob(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/")
	account, rest, _ := strings.Cut(key, "/")
	container, name, _ := strings.Cut(rest, "/")
	q := r.URL.Query()
	comp := q.Get("comp")
	isBlob := container != "" && name != ""
	logRun := ""
	if account == "acrlogs" && container == "runs" {
		logRun = strings.TrimSuffix(name, ".log")
	}

	// The operation, the call to record and the SAS permission it needs.
	var op, call, need string
	switch {
	case r.Method == http.MethodPost && rest == "" && q.Get("restype") == "service" && comp == "userdelegationkey":
		op, call = "userdelegationkey", "POST userdelegationkey "+account
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && logRun != "" && comp == "":
		op, call, need = "read", r.Method+" log "+logRun, "r"
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && isBlob && comp == "":
		op, call, need = "read", r.Method+" /"+key, "r"
	case r.Method == http.MethodPut && isBlob && comp == "":
		op, call, need = "put", "PUT /"+key, "wc"
	case r.Method == http.MethodPut && isBlob && comp == "block":
		op, call, need = "block", "PUT block /"+key, "wc"
	case r.Method == http.MethodPut && isBlob && comp == "blocklist":
		op, call, need = "blocklist", "PUT blocklist /"+key, "wc"
	default:
		call = "UNKNOWN " + r.Method + " " + r.URL.Path
	}
	a.record(call)

	version := r.Header.Get("x-ms-version")
	if version == "" {
		version = azureStorageVersion
	}
	w.Header().Set("x-ms-version", version)

	if q.Has("sig") {
		if op == "userdelegationkey" {
			azFail(w, surfaceBlob, http.StatusForbidden, "AuthenticationFailed",
				"Server failed to authenticate the request. User delegation keys are only given to OAuth requests.")
			return
		}
		if status, code, detail := a.sasProblem(key, q, need); status != 0 {
			azFail(w, surfaceBlob, status, code, "Server failed to authenticate the request. "+detail)
			return
		}
	} else {
		switch checkBearer(r, storageAudience(account)) {
		case authMissing:
			azFail(w, surfaceBlob, http.StatusUnauthorized, "NoAuthenticationInformation",
				"Server failed to authenticate the request. Please refer to the information in the www-authenticate header.")
			return
		case authInvalid:
			azFail(w, surfaceBlob, http.StatusUnauthorized, "InvalidAuthenticationInfo",
				"Server failed to authenticate the request. The access token is not valid.")
			return
		case authAudience:
			azFail(w, surfaceBlob, http.StatusUnauthorized, "InvalidAuthenticationInfo",
				"Server failed to authenticate the request. Audience validation failed. Audience did not match.")
			return
		}
		a.mu.Lock()
		denied := a.deny > 0
		if denied {
			a.deny--
		}
		a.mu.Unlock()
		if denied {
			azFail(w, surfaceBlob, http.StatusForbidden, "AuthorizationPermissionMismatch",
				"This request is not authorized to perform this operation using this permission.")
			return
		}
	}

	switch op {
	case "userdelegationkey":
		a.userDelegationKey(w, r, version)
	case "read":
		a.readBlob(w, r, key, logRun)
	case "put":
		a.putBlob(w, r, key)
	case "block":
		a.putBlock(w, r, key)
	case "blocklist":
		a.putBlockList(w, r, key)
	default:
		azFail(w, surfaceBlob, http.StatusBadRequest, "UnsupportedHttpVerb",
			"the fake Azure API does not serve "+r.Method+" "+r.URL.Path+" (with comp="+comp+")")
	}
}

// readBlob serves Get Blob Properties (HEAD) and Get Blob (GET, with an
// optional x-ms-range or Range of "bytes=start-" or "bytes=start-end").
// The logs of runs are served as blobs too.
func (a *AzureAPI) readBlob(w http.ResponseWriter, r *http.Request, key, logRun string) {
	a.mu.Lock()
	var b *azBlob
	if logRun != "" {
		if run, ok := a.runs[logRun]; ok {
			b = &azBlob{data: []byte(strings.Join(run.Log, "\n")), contentType: "text/plain; charset=utf-8",
				created: run.created, modified: time.Now()}
			b.etag = etag(b.data)
		}
	} else {
		b = a.blobs[key]
	}
	a.mu.Unlock()
	if b == nil {
		azFail(w, surfaceBlob, http.StatusNotFound, "BlobNotFound", "The specified blob does not exist.")
		return
	}
	h := w.Header()
	h.Set("Content-Type", b.contentType)
	h.Set("ETag", b.etag)
	h.Set("Last-Modified", b.modified.UTC().Format(http.TimeFormat))
	h.Set("x-ms-creation-time", b.created.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	h.Set("x-ms-blob-type", "BlockBlob")
	if logRun != "" {
		h.Set("x-ms-blob-type", "AppendBlob") // as ACR writes its logs
	}
	h.Set("x-ms-server-encrypted", "true")
	h.Set("x-ms-lease-state", "available")
	h.Set("x-ms-lease-status", "unlocked")
	for k, v := range b.metadata {
		h.Set("x-ms-meta-"+k, v)
	}
	body, status := b.data, http.StatusOK
	if rng := r.Header.Get("x-ms-range"); rng != "" || r.Header.Get("Range") != "" {
		if rng == "" {
			rng = r.Header.Get("Range")
		}
		start, end, ok := parseRange(rng, len(b.data))
		if !ok {
			h.Set("Content-Range", "bytes */"+strconv.Itoa(len(b.data)))
			azFail(w, surfaceBlob, http.StatusRequestedRangeNotSatisfiable, "InvalidRange",
				"The range specified is invalid for the current size of the resource.")
			return
		}
		body, status = b.data[start:end+1], http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, len(b.data)))
	} else {
		sum := md5.Sum(b.data)
		h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

// parseRange reads "bytes=start-" or "bytes=start-end" (inclusive) against
// a blob of size bytes.
func parseRange(rng string, size int) (int, int, bool) {
	spec, ok := strings.CutPrefix(rng, "bytes=")
	if !ok {
		return 0, 0, false
	}
	from, to, ok := strings.Cut(spec, "-")
	start, err := strconv.Atoi(from)
	if !ok || err != nil || start < 0 || start >= size {
		return 0, 0, false
	}
	end := size - 1
	if to != "" {
		e, err := strconv.Atoi(to)
		if err != nil || e < start {
			return 0, 0, false
		}
		end = min(e, size-1)
	}
	return start, end, true
}

// writeConditionFails checks If-Match and If-None-Match against the blob
// about to be written; a.mu is held.
func (a *AzureAPI) writeConditionFails(w http.ResponseWriter, r *http.Request, key string) bool {
	b, exists := a.blobs[key]
	if inm := r.Header.Get("If-None-Match"); inm != "" && exists && (inm == "*" || inm == b.etag) {
		if inm == "*" {
			azFail(w, surfaceBlob, http.StatusConflict, "BlobAlreadyExists", "The specified blob already exists.")
		} else {
			azFail(w, surfaceBlob, http.StatusPreconditionFailed, "ConditionNotMet",
				"The condition specified using HTTP conditional header(s) is not met.")
		}
		return true
	}
	if im := r.Header.Get("If-Match"); im != "" && (!exists || (im != "*" && im != b.etag)) {
		azFail(w, surfaceBlob, http.StatusPreconditionFailed, "ConditionNotMet",
			"The condition specified using HTTP conditional header(s) is not met.")
		return true
	}
	return false
}

// commit stores a blob's new content (Put Blob or Put Block List) and
// answers 201; a.mu is held.
func (a *AzureAPI) commit(w http.ResponseWriter, r *http.Request, key string, data []byte, blocks map[string][]byte) {
	now := time.Now()
	b := &azBlob{data: data, blocks: blocks, etag: etag(data), created: now, modified: now,
		contentType: r.Header.Get("x-ms-blob-content-type"), metadata: map[string]string{}}
	if b.contentType == "" {
		b.contentType = "application/octet-stream"
	}
	if old, ok := a.blobs[key]; ok {
		b.created = old.created
	}
	for k, v := range r.Header {
		if name, ok := strings.CutPrefix(strings.ToLower(k), "x-ms-meta-"); ok && len(v) > 0 {
			b.metadata[name] = v[0]
		}
	}
	a.blobs[key] = b
	delete(a.staged, key) // a commit discards the blocks it did not use
	w.Header().Set("ETag", b.etag)
	w.Header().Set("Last-Modified", now.UTC().Format(http.TimeFormat))
	w.Header().Set("x-ms-request-server-encrypted", "true")
	w.WriteHeader(http.StatusCreated)
}

// putBlob serves Put Blob, which azblob uses for uploads up to 256 MiB.
func (a *AzureAPI) putBlob(w http.ResponseWriter, r *http.Request, key string) {
	if t := r.Header.Get("x-ms-blob-type"); t != "BlockBlob" {
		azFail(w, surfaceBlob, http.StatusBadRequest, "MissingRequiredHeader",
			"the fake Azure API stores block blobs only (x-ms-blob-type: BlockBlob), not "+strconv.Quote(t))
		return
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		azFail(w, surfaceBlob, http.StatusBadRequest, "InvalidInput", err.Error())
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.writeConditionFails(w, r, key) {
		return
	}
	sum := md5.Sum(data)
	w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	a.commit(w, r, key, data, map[string][]byte{})
}

// putBlock serves Put Block: the block waits, uncommitted, for a block list.
func (a *AzureAPI) putBlock(w http.ResponseWriter, r *http.Request, key string) {
	id := r.URL.Query().Get("blockid")
	if raw, err := base64.StdEncoding.DecodeString(id); id == "" || err != nil || len(raw) > 64 {
		azFail(w, surfaceBlob, http.StatusBadRequest, "InvalidQueryParameterValue",
			"blockid must be base64 of at most 64 bytes")
		return
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		azFail(w, surfaceBlob, http.StatusBadRequest, "InvalidInput", err.Error())
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.staged[key] == nil {
		a.staged[key] = map[string][]byte{}
	}
	a.staged[key][id] = data
	sum := md5.Sum(data)
	w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	w.Header().Set("x-ms-request-server-encrypted", "true")
	w.WriteHeader(http.StatusCreated)
}

// putBlockList serves Put Block List: the blob becomes the listed blocks, in
// order. <Latest> takes the uncommitted block of that id, else the committed
// one; <Uncommitted> and <Committed> only that kind.
func (a *AzureAPI) putBlockList(w http.ResponseWriter, r *http.Request, key string) {
	type ref struct{ kind, id string }
	var refs []ref
	dec := xml.NewDecoder(r.Body)
	var err error
	for {
		var tok xml.Token
		if tok, err = dec.Token(); err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local != "BlockList" {
			var id string
			if err = dec.DecodeElement(&id, &se); err != nil {
				break
			}
			refs = append(refs, ref{se.Name.Local, strings.TrimSpace(id)})
		}
	}
	if !errors.Is(err, io.EOF) {
		azFail(w, surfaceBlob, http.StatusBadRequest, "InvalidXmlDocument", "XML specified is not syntactically valid.")
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.writeConditionFails(w, r, key) {
		return
	}
	staged := a.staged[key]
	var committed map[string][]byte
	if b, ok := a.blobs[key]; ok {
		committed = b.blocks
	}
	var data []byte
	blocks := map[string][]byte{}
	for _, ref := range refs {
		block, ok := []byte(nil), false
		switch ref.kind {
		case "Latest":
			if block, ok = staged[ref.id]; !ok {
				block, ok = committed[ref.id]
			}
		case "Uncommitted":
			block, ok = staged[ref.id]
		case "Committed":
			block, ok = committed[ref.id]
		}
		if !ok {
			azFail(w, surfaceBlob, http.StatusBadRequest, "InvalidBlockList", "The specified block list is invalid.")
			return
		}
		data = append(data, block...)
		blocks[ref.id] = block
	}
	a.commit(w, r, key, data, blocks)
}

// userDelegationKey serves Get User Delegation Key. Azure gives keys valid
// for at most seven days.
func (a *AzureAPI) userDelegationKey(w http.ResponseWriter, r *http.Request, version string) {
	var info struct {
		Start  string `xml:"Start"`
		Expiry string `xml:"Expiry"`
	}
	if err := xml.NewDecoder(r.Body).Decode(&info); err != nil {
		azFail(w, surfaceBlob, http.StatusBadRequest, "InvalidXmlDocument", "XML specified is not syntactically valid.")
		return
	}
	now := time.Now().UTC()
	start := now
	if info.Start != "" {
		t, err := time.Parse(time.RFC3339, info.Start)
		if err != nil {
			azFail(w, surfaceBlob, http.StatusBadRequest, "InvalidXmlNodeValue", "Start is not an ISO 8601 UTC time.")
			return
		}
		start = t.UTC()
	}
	expiry, err := time.Parse(time.RFC3339, info.Expiry)
	switch {
	case err != nil:
		azFail(w, surfaceBlob, http.StatusBadRequest, "InvalidXmlNodeValue", "Expiry is missing or not an ISO 8601 UTC time.")
		return
	case !expiry.After(start) || !expiry.After(now):
		azFail(w, surfaceBlob, http.StatusBadRequest, "InvalidXmlNodeValue", "Expiry must be after Start and now.")
		return
	case expiry.After(now.Add(7 * 24 * time.Hour)):
		azFail(w, surfaceBlob, http.StatusBadRequest, "InvalidXmlNodeValue",
			"The value for one of the XML nodes is not in the correct format: Expiry is more than 7 days ahead.")
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><UserDelegationKey><SignedOid>%s</SignedOid>`+
		`<SignedTid>%s</SignedTid><SignedStart>%s</SignedStart><SignedExpiry>%s</SignedExpiry>`+
		`<SignedService>b</SignedService><SignedVersion>%s</SignedVersion><Value>%s</Value></UserDelegationKey>`,
		azurePrincipalID, azureTenantID, start.Format("2006-01-02T15:04:05Z"), expiry.UTC().Format("2006-01-02T15:04:05Z"),
		xmlEscape(version), base64.StdEncoding.EncodeToString(randomBytes(32)))
}

// redactURL is u without its query (which may hold a SAS).
func redactURL(u string) string {
	base, _, _ := strings.Cut(u, "?")
	return base
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

func newUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
