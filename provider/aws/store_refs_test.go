package aws

import "testing"

func TestResolveStoreRefs(t *testing.T) {
	endpoints := map[string]string{
		"db":    "shop-db.abc123.us-west-2.rds.amazonaws.com",
		"cache": "master.shop-cache.xyz.usw2.cache.amazonaws.com",
		"mongo": "shop-mongo.cluster-abc.us-west-2.docdb.amazonaws.com",
	}
	kinds := map[string]storeKind{"db": storePostgres, "cache": storeRedis, "mongo": storeMongo}
	credentials := map[string]string{"mongo/user": "root", "mongo/password": "s3cret:/?#"}
	const docdb = "tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false&authSource=admin"
	const master = "root:s3cret%3A%2F%3F%23@"
	for _, tc := range []struct{ in, want string }{
		// Postgres: sslmode=require unless the URL chooses.
		{"postgres://u:p@" + storeHost("db") + ":5432/x?sslmode=verify-full", "postgres://u:p@" + endpoints["db"] + ":5432/x?sslmode=verify-full"},
		{"postgres://u:p@" + storeHost("db") + ":5432/x", "postgres://u:p@" + endpoints["db"] + ":5432/x?sslmode=require"},
		{"POSTGRESQL://" + storeHost("db") + "/x?application_name=a", "POSTGRESQL://" + endpoints["db"] + "/x?application_name=a&sslmode=require"},
		{"postgres://" + storeHost("db") + "?sslmode=disable", "postgres://" + endpoints["db"] + "?sslmode=disable"},
		{"postgres://" + storeHost("db") + ":5432/x?ssl=true", "postgres://" + endpoints["db"] + ":5432/x?ssl=true"},
		{"postgres://" + storeHost("db") + ":5432/x other", "postgres://" + endpoints["db"] + ":5432/x?sslmode=require other"},
		{storeHost("db"), endpoints["db"]},
		{storeHost("db") + ":5432", endpoints["db"] + ":5432"},
		{"mysql://" + storeHost("db") + "/x", "mysql://" + endpoints["db"] + "/x"},
		// Redis: TLS only.
		{"redis://" + storeHost("cache") + ":6379/0", "rediss://" + endpoints["cache"] + ":6379/0"},
		{"REDIS://user:pw@" + storeHost("cache") + ":6379", "rediss://user:pw@" + endpoints["cache"] + ":6379"},
		{"rediss://" + storeHost("cache") + ":6379", "rediss://" + endpoints["cache"] + ":6379"},
		{storeHost("cache") + ":6379", endpoints["cache"] + ":6379"},
		// MongoDB: the master credentials and DocumentDB's options.
		{"mongodb://" + storeHost("mongo") + ":27017/app", "mongodb://" + master + endpoints["mongo"] + ":27017/app?" + docdb},
		{"mongodb://" + storeHost("mongo") + ":27017", "mongodb://" + master + endpoints["mongo"] + ":27017/?" + docdb},
		{"mongodb://" + storeHost("mongo") + "?tls=true", "mongodb://" + master + endpoints["mongo"] + "/?tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false&authSource=admin"},
		{"mongodb://root:old@" + storeHost("mongo") + ":27017/app", "mongodb://" + master + endpoints["mongo"] + ":27017/app?" + docdb},
		{"mongodb://root@" + storeHost("mongo") + ":27017/app", "mongodb://" + master + endpoints["mongo"] + ":27017/app?" + docdb},
		{"mongodb://r%6Fot:old@" + storeHost("mongo") + ":27017/app", "mongodb://" + master + endpoints["mongo"] + ":27017/app?" + docdb},
		{"mongodb://app:own@" + storeHost("mongo") + ":27017/app", "mongodb://app:own@" + endpoints["mongo"] + ":27017/app?" + docdb},
		{"mongodb://" + storeHost("mongo") + ":27017/app?authSource=admin&tlsCAFile=/etc/rds.pem",
			"mongodb://" + master + endpoints["mongo"] + ":27017/app?authSource=admin&tlsCAFile=/etc/rds.pem&tls=true&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false"},
		{storeHost("mongo"), endpoints["mongo"]},
		{"a=" + storeHost("db") + " b=redis://" + storeHost("cache") + ":6379", "a=" + endpoints["db"] + " b=rediss://" + endpoints["cache"] + ":6379"},
		{"plain value", "plain value"},
	} {
		st := resolvedStores{kinds: kinds, endpoints: endpoints, credentials: credentials}
		if got := resolveStoreRefs(tc.in, st); got != tc.want {
			t.Errorf("resolveStoreRefs(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// Values that must stay plain get no credentials: the URL still reaches
// the cluster with its options.
func TestResolveStoreRefsWithoutCredentials(t *testing.T) {
	st := resolvedStores{kinds: map[string]storeKind{"mongo": storeMongo}, endpoints: map[string]string{"mongo": "m.docdb"}}
	if got, want := resolveStoreRefs("mongodb://"+storeHost("mongo")+"/x", st), "mongodb://m.docdb/x?tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false&authSource=admin"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestStoreSecret(t *testing.T) {
	for in, want := range map[string]bool{
		"mongodb://" + storeHost("mongo") + ":27017/app":                         true,
		"MONGODB://u:p@" + storeHost("mongo") + "/app":                           true,
		"x=postgres://" + storeHost("db") + " y=mongodb://" + storeHost("mongo"): true,
		storeHost("mongo"):                            false,
		storeHost("mongo") + ":27017":                 false,
		"postgres://" + storeHost("db") + "/x":        false,
		"mongodb://other:27017/" + storeHost("mongo"): false,
		"mongodb://plain-host:27017/app":              false,
	} {
		if got := storeSecret(in); got != want {
			t.Errorf("storeSecret(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestPercentEncode(t *testing.T) {
	if got, want := percentEncode("aZ09-._~ :/?#[]@!$&'()*+,;=%"), "aZ09-._~%20%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
