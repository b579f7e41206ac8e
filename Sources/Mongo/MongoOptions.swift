/// Options of ``MongoCollection/find(_:as:options:)``.
public struct FindOptions: Sendable {
    public var sort: BSONDocument?
    public var limit: Int?
    public var skip: Int?
    public var projection: BSONDocument?

    public init(sort: BSONDocument? = nil, limit: Int? = nil, skip: Int? = nil, projection: BSONDocument? = nil) {
        self.sort = sort
        self.limit = limit
        self.skip = skip
        self.projection = projection
    }

    var document: BSONDocument {
        var options = BSONDocument()
        if let sort { options["sort"] = .document(sort) }
        if let limit { options["limit"] = .int64(Int64(limit)) }
        if let skip { options["skip"] = .int64(Int64(skip)) }
        if let projection { options["projection"] = .document(projection) }
        return options
    }
}

/// What an update did.
public struct UpdateResult: Sendable, Equatable {
    public var matchedCount: Int
    public var modifiedCount: Int
    /// The `_id` of a document created by an upsert.
    public var upsertedID: BSONValue?
}

/// Which version `findOneAndUpdate` returns.
public enum ReturnDocument: Sendable {
    case before, after
}

/// An index to create.
public struct IndexModel: Sendable {
    public var keys: BSONDocument
    public var name: String?
    public var unique: Bool
    /// Documents expire this many seconds after the indexed date field (a TTL index).
    public var expireAfterSeconds: Int?
    public var sparse: Bool
    public var partialFilter: BSONDocument?

    public init(keys: BSONDocument, name: String? = nil, unique: Bool = false, expireAfterSeconds: Int? = nil,
                sparse: Bool = false, partialFilter: BSONDocument? = nil) {
        self.keys = keys
        self.name = name
        self.unique = unique
        self.expireAfterSeconds = expireAfterSeconds
        self.sparse = sparse
        self.partialFilter = partialFilter
    }

    /// `field_1_other_-1`, MongoDB's default index name.
    var resolvedName: String {
        name ?? keys.elements.map { "\($0.key)_\($0.value.intValue.map(String.init) ?? ($0.value.stringValue ?? "1"))" }.joined(separator: "_")
    }

    var document: BSONDocument {
        var spec: BSONDocument = ["key": .document(keys), "name": .string(resolvedName)]
        if unique { spec["unique"] = true }
        if sparse { spec["sparse"] = true }
        if let expireAfterSeconds { spec["expireAfterSeconds"] = .int32(Int32(expireAfterSeconds)) }
        if let partialFilter { spec["partialFilterExpression"] = .document(partialFilter) }
        return spec
    }
}
