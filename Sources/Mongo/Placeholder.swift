// Placeholder; replaced by the Mongo client.
