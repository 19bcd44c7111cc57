package aws

import "testing"

func TestResolveStoreRefs(t *testing.T) {
	endpoints := map[string]string{
		"db":    "shop-db.abc123.us-west-2.rds.amazonaws.com",
		"cache": "master.shop-cache.xyz.usw2.cache.amazonaws.com",
		"mongo": "shop-mongo.cluster-abc.us-west-2.docdb.amazonaws.com",
	}
	kinds := map[string]storeKind{"db": storePostgres, "cache": storeRedis, "mongo": storeMongo}
	for _, tc := range []struct{ in, want string }{
		{"postgres://u:p@" + storeHost("db") + ":5432/x?sslmode=require", "postgres://u:p@" + endpoints["db"] + ":5432/x?sslmode=require"},
		{storeHost("db"), endpoints["db"]},
		{"redis://" + storeHost("cache") + ":6379/0", "rediss://" + endpoints["cache"] + ":6379/0"},
		{"REDIS://user:pw@" + storeHost("cache") + ":6379", "rediss://user:pw@" + endpoints["cache"] + ":6379"},
		{"rediss://" + storeHost("cache") + ":6379", "rediss://" + endpoints["cache"] + ":6379"},
		{storeHost("cache") + ":6379", endpoints["cache"] + ":6379"},
		{"mongodb://u:p@" + storeHost("mongo") + ":27017/app",
			"mongodb://u:p@" + endpoints["mongo"] + ":27017/app?tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false"},
		{"mongodb://" + storeHost("mongo") + ":27017",
			"mongodb://" + endpoints["mongo"] + ":27017/?tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false"},
		{"mongodb://" + storeHost("mongo") + ":27017/app?authSource=admin&tls=true",
			"mongodb://" + endpoints["mongo"] + ":27017/app?authSource=admin&tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false"},
		{storeHost("mongo"), endpoints["mongo"]},
		{"a=" + storeHost("db") + " b=redis://" + storeHost("cache") + ":6379", "a=" + endpoints["db"] + " b=rediss://" + endpoints["cache"] + ":6379"},
		{"plain value", "plain value"},
	} {
		if got := resolveStoreRefs(tc.in, endpoints, kinds); got != tc.want {
			t.Errorf("resolveStoreRefs(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
