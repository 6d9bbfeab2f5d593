package main

import "github.com/mcp-auth/go/metadata"

// docWithName returns the optional part of a protected resource's metadata
// document: a human-readable name that clients may show at consent.
func docWithName(name string) metadata.ProtectedResource {
	return metadata.ProtectedResource{ResourceName: name}
}
