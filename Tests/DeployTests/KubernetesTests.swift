import AMQP
import Foundation
import JSONCore
import Mongo
import Redis
import Testing

/// deploy/k8s/: every manifest as its YAML documents.
struct KubernetesModel: Sendable {
    static let directory = "deploy/k8s"
    let files: [String: [JSONValue]]

    static let loaded = Task<KubernetesModel, any Error> {
        let names = try manifestNames()
        let documents = try await DeployTools.yamlDocuments(names.map { DeployTools.path("\(directory)/\($0)") })
        return KubernetesModel(files: Dictionary(uniqueKeysWithValues: zip(names, documents)))
    }

    static func load() async throws -> KubernetesModel { try await loaded.value }

    /// Every manifest: the YAML files but kustomization.yaml (kustomize's own, not a resource).
    static func manifestNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: DeployTools.path(directory))
            .filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }.sorted()
    }

    var resources: [JSONValue] { files.keys.sorted().flatMap { files[$0]! } }

    func resource(_ kind: String, _ name: String) -> JSONValue? {
        resources.first { $0["kind"]?.text == kind && $0[path: "metadata", "name"]?.text == name }
    }

    func configMap(_ name: String) -> [String: String] {
        (resource("ConfigMap", name)?["data"]?.objectValue ?? [:]).compactMapValues(\.text)
    }

    /// Variable names a container gets: its `env` and every key of the ConfigMaps in `envFrom`.
    func variables(of container: JSONValue) -> Set<String> {
        var names = Set((container["env"]?.arrayValue ?? []).compactMap { $0["name"]?.text })
        for source in container["envFrom"]?.arrayValue ?? [] {
            if let map = source[path: "configMapRef", "name"]?.text { names.formUnion(configMap(map).keys) }
        }
        return names
    }

    static let workloads = ["loan-api"] + DeployTools.pools.map { "worker-\($0)" }
}

@Suite("Deploy: Kubernetes manifests")
struct KubernetesTests {
    static func validate(_ paths: [String]) async throws -> DeployTools.Output {
        try await DeployTools.run(try DeployTools.kubernetesValidate(), ["--strict", "--quiet"] + paths,
                                  environment: DeployTools.cleanEnvironment)
    }

    @Test func everyManifestValidates() async throws {
        let names = try KubernetesModel.manifestNames()
        #expect(names.count >= 8)
        let output = try await Self.validate(names.map { DeployTools.path("\(KubernetesModel.directory)/\($0)") })
        #expect(output.status == 0, "\(output)")
    }

    /// A wrongly typed field and an unknown one are rejected, so the schemas are really applied.
    @Test func brokenCopiesAreRejected() async throws {
        let directory = try DeployTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try DeployTools.read("\(KubernetesModel.directory)/api.yaml")
        for (label, broken) in [("type", original.replacingOccurrences(of: "replicas: 3", with: "replicas: three")),
                                ("unknown", original.replacingOccurrences(of: "terminationGracePeriodSeconds:", with: "terminationGraceSeconds:"))] {
            #expect(broken != original)
            let file = directory.appendingPathComponent("\(label).yaml")
            try broken.write(to: file, atomically: true, encoding: .utf8)
            let output = try await Self.validate([file.path])
            #expect(output.status != 0 && output.text.contains("did not validate"), "\(label): \(output)")
        }
    }

    /// kustomization.yaml applies every manifest except the Secret template.
    @Test func kustomizationListsEveryManifestButTheSecretTemplate() async throws {
        let kustomization = try #require(try await DeployTools.yamlDocuments([DeployTools.path("\(KubernetesModel.directory)/kustomization.yaml")]).first?.first)
        let listed = Set((kustomization["resources"]?.arrayValue ?? []).compactMap(\.text))
        #expect(listed == Set(try KubernetesModel.manifestNames()).subtracting(["secret.template.yaml"]))
        #expect(kustomization["namespace"]?.text == "celeriac")
    }

    @Test func workloadsHaveProbesResourcesAndRestrictedSecurity() async throws {
        let model = try await KubernetesModel.load()
        for name in KubernetesModel.workloads {
            let deployment = try #require(model.resource("Deployment", name), "\(name)")
            let pod = try #require(deployment[path: "spec", "template", "spec"])
            #expect(pod[path: "securityContext", "runAsNonRoot"] == true && pod["automountServiceAccountToken"] == false, "\(name)")
            let containers = try #require(pod["containers"]?.arrayValue)
            for container in containers {
                for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
                    #expect(container[probe] != nil, "\(name) has no \(probe)")
                }
                for kind in ["requests", "limits"] {
                    #expect(container[path: "resources", kind, "cpu"] != nil && container[path: "resources", kind, "memory"] != nil,
                            "\(name) resources.\(kind)")
                }
                #expect(container[path: "securityContext", "readOnlyRootFilesystem"] == true
                        && container[path: "securityContext", "allowPrivilegeEscalation"] == false
                        && container[path: "securityContext", "capabilities", "drop"] == ["ALL"], "\(name)")
                // The health file and anything else temporary live on the writable /tmp volume.
                #expect((container["volumeMounts"]?.arrayValue ?? []).contains { $0["mountPath"] == "/tmp" }, "\(name)")
            }
            // Every selected label is on the pods, so the Deployment owns its pods.
            let selector = deployment[path: "spec", "selector", "matchLabels"]?.objectValue ?? [:]
            let labels = deployment[path: "spec", "template", "metadata", "labels"]?.objectValue ?? [:]
            #expect(!selector.isEmpty && selector.allSatisfy { labels[$0.key] == $0.value }, "\(name)")
        }
    }

    @Test func theAPIRunsThreeReplicasBehindItsServiceAndIngress() async throws {
        let model = try await KubernetesModel.load()
        let api = try #require(model.resource("Deployment", "loan-api"))
        #expect(api[path: "spec", "replicas"] == 3)
        let container = try #require(api[path: "spec", "template", "spec", "containers", "0"])
        #expect(container["command"] == ["loan-api"])
        #expect(container[path: "livenessProbe", "httpGet", "path"] == "/health" && container[path: "readinessProbe", "httpGet", "path"] == "/ready")
        #expect(container[path: "ports", "0", "containerPort"]?.text == model.configMap("loan-api")["API_PORT"])
        #expect(model.configMap("loan-api")["API_HOST"] == "0.0.0.0")
        let service = try #require(model.resource("Service", "loan-api"))
        #expect(service[path: "spec", "selector"] == api[path: "spec", "selector", "matchLabels"])
        #expect(model.resource("Ingress", "loan-api")?[path: "spec", "rules", "0", "http", "paths", "0", "backend", "service", "name"] == "loan-api")
    }

    /// Each pool: the ConfigMap equals workers/<pool>.env, the autoscaler keeps REPLICAS pods at
    /// least, the probes ask `loan-worker health-check`, and SIGKILL comes only after the drain
    /// timeout plus the margin.
    @Test func poolsFollowTheirDefinitions() async throws {
        let model = try await KubernetesModel.load()
        for pool in DeployTools.pools {
            let name = "worker-\(pool)"
            var definition = DeployTools.envFile(try DeployTools.read("workers/\(pool).env"))
            let replicas = try #require(definition.removeValue(forKey: "REPLICAS").flatMap { Int($0) })
            #expect(model.configMap(name) == definition, "\(name) ConfigMap differs from workers/\(pool).env")
            let deployment = try #require(model.resource("Deployment", name))
            #expect(deployment[path: "spec", "replicas"] == nil, "the autoscaler owns \(name)'s replica count")
            let pod = try #require(deployment[path: "spec", "template", "spec"])
            let drain = try #require(Int(definition["WORKER_DRAIN_TIMEOUT"] ?? ""))
            #expect(pod["terminationGracePeriodSeconds"]?.intValue == drain + DeployTools.drainMargin, "\(name)")
            let container = try #require(pod[path: "containers", "0"])
            #expect(container["command"] == ["loan-worker"])
            #expect((container["envFrom"]?.arrayValue ?? []).contains { $0[path: "configMapRef", "name"]?.text == name })
            #expect(container[path: "livenessProbe", "exec", "command"] == ["loan-worker", "health-check"])
            #expect(container[path: "readinessProbe", "exec", "command"] == ["loan-worker", "health-check", "--ready"])
            #expect(container[path: "startupProbe", "exec", "command"] == ["loan-worker", "health-check", "--ready"])
            #expect(container["ports"] == nil, "workers listen on nothing")
            let autoscaler = try #require(model.resource("HorizontalPodAutoscaler", name))
            #expect(autoscaler["apiVersion"] == "autoscaling/v2")
            #expect(autoscaler[path: "spec", "scaleTargetRef", "kind"] == "Deployment" && autoscaler[path: "spec", "scaleTargetRef", "name"]?.text == name)
            #expect(autoscaler[path: "spec", "minReplicas"]?.intValue == replicas)
            #expect((autoscaler[path: "spec", "maxReplicas"]?.intValue ?? 0) > replicas)
        }
    }

    /// Containers get only variables the executables read, and every Secret key they use is in
    /// the template; the template's URLs parse with the clients.
    @Test func variablesAndSecretsMatchTheCode() async throws {
        let model = try await KubernetesModel.load()
        let read = try EnvironmentVariableTests.namesReadByTheCode()
        let secret = try #require(model.resource("Secret", "celeriac-secrets")?["stringData"]?.objectValue).compactMapValues(\.text)
        for name in KubernetesModel.workloads {
            let container = try #require(model.resource("Deployment", name)?[path: "spec", "template", "spec", "containers", "0"])
            let unknown = model.variables(of: container).subtracting(read)
            #expect(unknown.isEmpty, "\(name): \(unknown.sorted())")
            for variable in container["env"]?.arrayValue ?? [] {
                guard let key = variable[path: "valueFrom", "secretKeyRef", "key"]?.text else { continue }
                #expect(secret[key] != nil && variable[path: "valueFrom", "secretKeyRef", "name"] == "celeriac-secrets", "\(name): \(key)")
            }
            for source in container["envFrom"]?.arrayValue ?? [] {
                let map = source[path: "configMapRef", "name"]?.text ?? "?"
                #expect(model.resource("ConfigMap", map) != nil, "\(name): no ConfigMap \(map)")
            }
        }
        #expect(Set(secret.keys).isSubset(of: read))
        _ = try AMQPConfiguration(url: try #require(secret["AMQP_URL"]))
        _ = try RedisConfiguration(url: try #require(secret["REDIS_URL"]))
        let mongo = try #require(secret["MONGO_URL"])
        let database = try MongoClient(uri: mongo).defaultDatabaseName
        #expect(mongo.hasSuffix("?authSource=admin") && database == "celeriac")
        // Fail-safe placeholders: an unedited template must not run with a published key or token.
        #expect(secret["JWT_SECRET"].map { $0.utf8.count < 32 } == true, "loan-api must refuse the placeholder JWT_SECRET")
        #expect(secret["ADMIN_TOKEN"] == "", "the operator routes stay off until a token is set")
    }

    /// Default deny; the API accepts only its port; workers accept nothing; both reach only the
    /// servers' ports and DNS.
    @Test func networkPoliciesIsolateTheWorkloads() async throws {
        let model = try await KubernetesModel.load()
        let deny = try #require(model.resource("NetworkPolicy", "default-deny"))
        #expect(deny[path: "spec", "podSelector"] == [:] && deny[path: "spec", "policyTypes"] == ["Ingress", "Egress"])
        #expect(deny[path: "spec", "ingress"] == nil && deny[path: "spec", "egress"] == nil)
        let allowedEgress: Set = ["5672", "6379", "27017", "53"]
        for (policyName, appName) in [("loan-api", "loan-api"), ("loan-worker", "loan-worker")] {
            let policy = try #require(model.resource("NetworkPolicy", policyName))
            #expect(policy[path: "spec", "podSelector", "matchLabels", "app.kubernetes.io/name"]?.text == appName)
            #expect(policy[path: "spec", "policyTypes"] == ["Ingress", "Egress"])
            let egressPorts = (policy[path: "spec", "egress"]?.arrayValue ?? []).flatMap { $0["ports"]?.arrayValue ?? [] }
            #expect(!egressPorts.isEmpty && egressPorts.allSatisfy { allowedEgress.contains($0["port"]?.text ?? "any") }, "\(policyName)")
            #expect((policy[path: "spec", "egress"]?.arrayValue ?? []).allSatisfy { $0["to"]?.arrayValue?.isEmpty == false },
                    "\(policyName): every egress rule names its destination")
        }
        let apiIngress = model.resource("NetworkPolicy", "loan-api")?[path: "spec", "ingress"]?.arrayValue ?? []
        #expect(apiIngress.flatMap { $0["ports"]?.arrayValue ?? [] }.map { $0["port"]?.text } == ["8080"])
        #expect(model.resource("NetworkPolicy", "loan-worker")?[path: "spec", "ingress"] == nil, "no connections into workers")
        // The policies' labels are the pods' labels.
        #expect(model.resource("Deployment", "worker-credit")?[path: "spec", "template", "metadata", "labels", "app.kubernetes.io/name"] == "loan-worker")
    }
}
