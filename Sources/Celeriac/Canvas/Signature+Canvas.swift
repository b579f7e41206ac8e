/// Canvas constructors in Celery's encoding (`celery/canvas.py`): composites are signatures
/// whose `subtask_type` is `chain`, `group` or `chord`, so they travel inside messages exactly
/// as Python builds them.
extension Signature {
    /// Steps run one after another; each step receives the previous result as its first
    /// argument (unless it is immutable). Nested chains are flattened.
    public static func chain(_ steps: [Signature]) -> Signature {
        var flat: [Signature] = []
        for step in steps {
            if step.subtaskType == "chain", let inner = try? step.childTasks { flat.append(contentsOf: inner) } else { flat.append(step) }
        }
        return Signature(task: "celery.chain", kwargs: ["tasks": .array(flat.map(\.json))], subtaskType: "chain")
    }

    /// Tasks run in parallel; their results are collected in order.
    public static func group(_ tasks: [Signature]) -> Signature {
        Signature(task: "celery.group", kwargs: ["tasks": .array(tasks.map(\.json))], subtaskType: "group")
    }

    /// A group whose results, in header order, are passed as the first argument of `body` once
    /// every header task has finished.
    public static func chord(_ header: [Signature], body: Signature) -> Signature {
        Signature(task: "celery.chord", kwargs: ["header": Signature.group(header).json, "body": body.json],
                  subtaskType: "chord")
    }

    /// Adds a success callback (Celery's `link`): applied with this task's result prepended.
    public func linked(_ callback: Signature) -> Signature {
        var copy = self
        copy.options["link"] = .array((options["link"]?.arrayValue ?? []) + [callback.json])
        return copy
    }

    /// Adds an error callback (Celery's `link_error`): applied with the failed task's id.
    public func linkedError(_ errback: Signature) -> Signature {
        var copy = self
        copy.options["link_error"] = .array((options["link_error"]?.arrayValue ?? []) + [errback.json])
        return copy
    }

    /// The same signature that ignores its parent's result.
    public var immutableCopy: Signature {
        var copy = self
        copy.immutable = true
        return copy
    }

    /// A chord's header tasks and body.
    var chordParts: (header: [Signature], body: Signature)? {
        get throws(ProtocolError) {
            guard subtaskType == "chord", let headerJSON = kwargs["header"], let bodyJSON = kwargs["body"] else { return nil }
            let header = try Signature(json: headerJSON)
            let tasks = header.subtaskType == "group" ? try header.childTasks : [header]
            return (tasks, try Signature(json: bodyJSON))
        }
    }

    func signatures(_ option: String) throws(ProtocolError) -> [Signature] {
        guard let list = options[option]?.arrayValue else { return [] }
        var result: [Signature] = []
        for item in list { result.append(try Signature(json: item)) }
        return result
    }
}
