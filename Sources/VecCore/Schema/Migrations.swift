import Foundation

/// One numbered schema change; applied once, in one transaction, and recorded in `schema_migrations`.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
}

/// vecscope's schema, in order. Append new migrations; never edit one that has shipped.
public enum Migrations {
    public static let all: [Migration] = [
        // Its INSERT seeded the first three built-in models; it stays as shipped (databases recorded version 1 by
        // number, and its text is history). `Migrator` writes the models from `ModelCatalog` after every run.
        Migration(
            version: 1, name: "core tables",
            sql: """
                CREATE EXTENSION IF NOT EXISTS vector;

                CREATE TABLE users (
                    id          bigserial PRIMARY KEY,
                    external_id text NOT NULL UNIQUE CHECK (length(external_id) > 0),
                    name        text,
                    created_at  timestamptz NOT NULL DEFAULT now()
                );

                CREATE TABLE artifacts (
                    id            bigserial PRIMARY KEY,
                    user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    external_id   text NOT NULL CHECK (length(external_id) > 0),
                    artifact_type text NOT NULL CHECK (artifact_type IN ('project', 'publication', 'work_experience',
                                      'certification', 'education', 'open_source', 'talk', 'award')),
                    title         text NOT NULL CHECK (length(title) > 0),
                    description   text NOT NULL DEFAULT '',
                    content       text NOT NULL DEFAULT '',
                    skills        text[] NOT NULL DEFAULT '{}',
                    metadata      jsonb NOT NULL DEFAULT '{}',
                    content_hash  char(64) NOT NULL,
                    search        tsvector GENERATED ALWAYS AS (
                                      setweight(to_tsvector('english', title), 'A') ||
                                      setweight(to_tsvector('english', description), 'B') ||
                                      setweight(to_tsvector('english', content), 'C')) STORED,
                    created_at    timestamptz NOT NULL DEFAULT now(),
                    updated_at    timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (user_id, external_id)
                );
                CREATE INDEX artifacts_search_gin ON artifacts USING gin (search);
                CREATE INDEX artifacts_user_type ON artifacts (user_id, artifact_type);
                CREATE INDEX artifacts_external_id ON artifacts (external_id);

                CREATE TABLE embedding_models (
                    name             text PRIMARY KEY,
                    provider         text NOT NULL CHECK (provider IN ('local', 'openai', 'synthetic')),
                    dimensions       integer NOT NULL CHECK (dimensions BETWEEN 1 AND 16000),
                    storage          text NOT NULL CHECK (storage IN ('vector', 'halfvec')),
                    cost_per_mtok    numeric(12, 6) NOT NULL DEFAULT 0 CHECK (cost_per_mtok >= 0),
                    max_input_tokens integer NOT NULL DEFAULT 256 CHECK (max_input_tokens > 0),
                    created_at       timestamptz NOT NULL DEFAULT now()
                );

                CREATE TABLE artifact_embeddings (
                    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                    artifact_id         bigint NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
                    content_type        text NOT NULL CHECK (content_type IN ('full', 'summary')),
                    model_version       text NOT NULL REFERENCES embedding_models(name),
                    model_dimensions    integer NOT NULL,
                    embedding_vector    vector NOT NULL,
                    content_hash        char(64) NOT NULL,
                    stale               boolean NOT NULL DEFAULT false,
                    processing_cost_usd numeric(14, 10) NOT NULL DEFAULT 0,
                    generated_at        timestamptz NOT NULL DEFAULT now(),
                    metadata            jsonb NOT NULL DEFAULT '{}',
                    UNIQUE (artifact_id, content_type, model_version),
                    CHECK (vector_dims(embedding_vector) = model_dimensions)
                );

                CREATE TABLE artifact_chunks (
                    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                    artifact_id  bigint NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
                    chunk_index  integer NOT NULL CHECK (chunk_index >= 0),
                    text         text NOT NULL,
                    token_count  integer NOT NULL DEFAULT 0,
                    content_hash char(64) NOT NULL,
                    UNIQUE (artifact_id, chunk_index)
                );

                CREATE TABLE chunk_embeddings (
                    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                    artifact_chunk_id uuid NOT NULL REFERENCES artifact_chunks(id) ON DELETE CASCADE,
                    model_version     text NOT NULL REFERENCES embedding_models(name),
                    model_dimensions  integer NOT NULL,
                    embedding_vector  vector NOT NULL,
                    content_hash      char(64) NOT NULL,
                    generated_at      timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (artifact_chunk_id, model_version),
                    CHECK (vector_dims(embedding_vector) = model_dimensions)
                );

                CREATE TABLE job_embeddings (
                    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                    user_id              bigint REFERENCES users(id) ON DELETE SET NULL,
                    job_description_hash char(64) NOT NULL,
                    model_version        text NOT NULL REFERENCES embedding_models(name),
                    model_dimensions     integer NOT NULL,
                    embedding_vector     vector NOT NULL,
                    generated_at         timestamptz NOT NULL DEFAULT now(),
                    access_count         integer NOT NULL DEFAULT 0,
                    last_accessed_at     timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (job_description_hash, model_version),
                    CHECK (vector_dims(embedding_vector) = model_dimensions)
                );

                CREATE TABLE relevance_judgments (
                    query_hash  char(64) NOT NULL,
                    query_text  text NOT NULL,
                    artifact_id bigint NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
                    grade       smallint NOT NULL CHECK (grade BETWEEN 0 AND 3),
                    judge       text NOT NULL DEFAULT current_user,
                    judged_at   timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (query_hash, artifact_id)
                );

                INSERT INTO embedding_models (name, provider, dimensions, storage, cost_per_mtok, max_input_tokens) VALUES
                    ('all-MiniLM-L6-v2', 'local', 384, 'vector', 0, 256),
                    ('text-embedding-3-small', 'openai', 1536, 'vector', 0.02, 8191),
                    ('text-embedding-3-large', 'openai', 3072, 'halfvec', 0.13, 8191);
                """),
        // pgvector's types default to EXTERNAL storage: every vector over ~2 kB (512+ dimensions) went to the TOAST
        // table, and each one read (a result's distance, every row of an exact scan) cost a TOAST index lookup and
        // four chunk fetches. MAIN keeps it in the row whenever the row fits a page (1536 floats, 3072 halfs); at
        // 100k × 1536 this raised 100-client search throughput by about a third. Rows written before keep theirs.
        Migration(
            version: 2, name: "vectors stored in the row",
            sql: """
                ALTER TABLE artifact_embeddings ALTER COLUMN embedding_vector SET STORAGE MAIN;
                ALTER TABLE chunk_embeddings ALTER COLUMN embedding_vector SET STORAGE MAIN;
                ALTER TABLE job_embeddings ALTER COLUMN embedding_vector SET STORAGE MAIN;
                """),
        // Okapi BM25 in the database (ARCHITECTURE.md §2): the keyword index gains the skills and one weight per field
        // (A title, B skills, C description, D content) so a query can weight fields; each row keeps its token count
        // per field; document frequencies and corpus totals live in two tables that statement triggers keep exact on
        // every write path (loader, gen's COPY, deletes and cascades), inside the writing transaction.
        Migration(
            version: 3, name: "BM25 statistics",
            sql: """
                -- array_to_string is only STABLE (element output functions); for text[] it cannot vary.
                CREATE FUNCTION vecscope_skills_text(skills text[]) RETURNS text
                    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string(skills, ' ') $$;
                -- Tokens BM25 counts in a field: the positions to_tsvector keeps (stop words dropped).
                CREATE FUNCTION vecscope_token_count(body text) RETURNS integer
                    LANGUAGE sql IMMUTABLE PARALLEL SAFE
                    AS $$ SELECT coalesce(sum(array_length(t.positions, 1)), 0)::integer
                          FROM unnest(to_tsvector('english'::regconfig, body)) t $$;

                ALTER TABLE artifacts DROP COLUMN search;
                ALTER TABLE artifacts ADD COLUMN search tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('english'::regconfig, title), 'A') ||
                    setweight(to_tsvector('english'::regconfig, vecscope_skills_text(skills)), 'B') ||
                    setweight(to_tsvector('english'::regconfig, description), 'C') ||
                    setweight(to_tsvector('english'::regconfig, content), 'D')) STORED;
                ALTER TABLE artifacts ADD COLUMN field_tokens integer[] GENERATED ALWAYS AS (ARRAY[
                    vecscope_token_count(title), vecscope_token_count(vecscope_skills_text(skills)),
                    vecscope_token_count(description), vecscope_token_count(content)]) STORED;
                CREATE INDEX artifacts_search_gin ON artifacts USING gin (search);

                CREATE TABLE bm25_lexemes (
                    lexeme    text PRIMARY KEY,
                    documents bigint NOT NULL CHECK (documents >= 0)
                );
                CREATE TABLE bm25_corpus (
                    singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    documents          bigint NOT NULL DEFAULT 0,
                    title_tokens       bigint NOT NULL DEFAULT 0,
                    skills_tokens      bigint NOT NULL DEFAULT 0,
                    description_tokens bigint NOT NULL DEFAULT 0,
                    content_tokens     bigint NOT NULL DEFAULT 0
                );

                -- The embedded text now carries the skills (EmbeddingText.full): rehash, so vectors made from the old
                -- text count as stale and `embed` refreshes them.
                UPDATE artifacts SET content_hash = encode(sha256(convert_to(concat_ws(E'\\n\\n',
                    nullif(title, ''),
                    CASE WHEN cardinality(skills) > 0 THEN 'Skills: ' || array_to_string(skills, ', ') END,
                    nullif(description, ''), nullif(content, '')), 'UTF8')), 'hex');

                -- Recomputes everything: used once here and after TRUNCATE.
                CREATE FUNCTION vecscope_bm25_rebuild() RETURNS void LANGUAGE sql AS $$
                    DELETE FROM bm25_lexemes;
                    DELETE FROM bm25_corpus;
                    INSERT INTO bm25_lexemes (lexeme, documents)
                    SELECT t.lexeme, count(*) FROM artifacts a, unnest(a.search) t GROUP BY t.lexeme;
                    INSERT INTO bm25_corpus (documents, title_tokens, skills_tokens, description_tokens, content_tokens)
                    SELECT count(*), coalesce(sum(field_tokens[1]), 0), coalesce(sum(field_tokens[2]), 0),
                           coalesce(sum(field_tokens[3]), 0), coalesce(sum(field_tokens[4]), 0)
                    FROM artifacts;
                $$;
                SELECT vecscope_bm25_rebuild();

                -- One function for the three statement triggers: each branch reads only the transition tables its
                -- event has (PL/pgSQL plans a statement when it first runs it).
                CREATE FUNCTION vecscope_bm25_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'TRUNCATE' THEN
                        PERFORM vecscope_bm25_rebuild();
                        RETURN NULL;
                    END IF;
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        UPDATE bm25_lexemes l SET documents = l.documents - g.n
                        FROM (SELECT t.lexeme, count(*) AS n FROM old_rows r, unnest(r.search) t GROUP BY t.lexeme) g
                        WHERE l.lexeme = g.lexeme;
                        UPDATE bm25_corpus c SET documents = c.documents - o.n, title_tokens = c.title_tokens - o.t,
                               skills_tokens = c.skills_tokens - o.s, description_tokens = c.description_tokens - o.d,
                               content_tokens = c.content_tokens - o.b
                        FROM (SELECT count(*) AS n, coalesce(sum(field_tokens[1]), 0) AS t,
                                     coalesce(sum(field_tokens[2]), 0) AS s, coalesce(sum(field_tokens[3]), 0) AS d,
                                     coalesce(sum(field_tokens[4]), 0) AS b FROM old_rows) o;
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        -- In lexeme order, so concurrent writers lock rows in one order and cannot deadlock.
                        INSERT INTO bm25_lexemes AS l (lexeme, documents)
                        SELECT t.lexeme, count(*) FROM new_rows r, unnest(r.search) t GROUP BY t.lexeme
                        ORDER BY t.lexeme
                        ON CONFLICT (lexeme) DO UPDATE SET documents = l.documents + EXCLUDED.documents;
                        UPDATE bm25_corpus c SET documents = c.documents + o.n, title_tokens = c.title_tokens + o.t,
                               skills_tokens = c.skills_tokens + o.s, description_tokens = c.description_tokens + o.d,
                               content_tokens = c.content_tokens + o.b
                        FROM (SELECT count(*) AS n, coalesce(sum(field_tokens[1]), 0) AS t,
                                     coalesce(sum(field_tokens[2]), 0) AS s, coalesce(sum(field_tokens[3]), 0) AS d,
                                     coalesce(sum(field_tokens[4]), 0) AS b FROM new_rows) o;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER artifacts_bm25_insert AFTER INSERT ON artifacts REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION vecscope_bm25_maintain();
                CREATE TRIGGER artifacts_bm25_update AFTER UPDATE ON artifacts
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION vecscope_bm25_maintain();
                CREATE TRIGGER artifacts_bm25_delete AFTER DELETE ON artifacts REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION vecscope_bm25_maintain();
                CREATE TRIGGER artifacts_bm25_truncate AFTER TRUNCATE ON artifacts
                    FOR EACH STATEMENT EXECUTE FUNCTION vecscope_bm25_maintain();

                -- Database-wide defaults a user stored (`vecscope tune fusion --apply`): one JSON value per key.
                CREATE TABLE settings (
                    key        text PRIMARY KEY,
                    value      jsonb NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                """),
        // The HTTP API's bearer tokens, one user each. Only a token's SHA-256 is stored: the token itself is shown
        // once, at creation; the prefix lets `users token list` tell tokens apart without revealing them.
        Migration(
            version: 4, name: "API tokens",
            sql: """
                CREATE TABLE api_tokens (
                    id           bigserial PRIMARY KEY,
                    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    name         text NOT NULL DEFAULT '',
                    token_hash   char(64) NOT NULL UNIQUE,
                    token_prefix text NOT NULL,
                    admin        boolean NOT NULL DEFAULT false,
                    created_at   timestamptz NOT NULL DEFAULT now(),
                    revoked_at   timestamptz
                );
                CREATE INDEX api_tokens_user ON api_tokens (user_id);
                """),
        // `vecscope worker`: a statement trigger queues every artifact whose embedded text changed, once for each
        // model a worker follows, and wakes the workers with NOTIFY. Queue rows are hints, never the truth: the
        // pipeline re-checks each text's hash, so a duplicate row costs a look-up, not an embedding. No unique key on
        // (artifact, model): a change made while a worker embeds the old text adds a row instead of waiting for the
        // worker's transaction. content_hash is kept by a row trigger too, so a write with psql counts as stale.
        Migration(
            version: 5, name: "embedding queue",
            sql: """
                CREATE TABLE worker_models (
                    model_version text PRIMARY KEY REFERENCES embedding_models(name) ON DELETE CASCADE,
                    followed_at   timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE embedding_queue (
                    id            bigserial PRIMARY KEY,
                    artifact_id   bigint NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
                    model_version text NOT NULL REFERENCES embedding_models(name) ON DELETE CASCADE,
                    queued_at     timestamptz NOT NULL DEFAULT now(),
                    attempts      integer NOT NULL DEFAULT 0,
                    not_before    timestamptz NOT NULL DEFAULT now(),
                    last_error    text
                );
                CREATE INDEX embedding_queue_claim ON embedding_queue (model_version, not_before, id);
                CREATE INDEX embedding_queue_artifact ON embedding_queue (artifact_id);

                -- The same text EmbeddingText.full hashes (migration 3 rehashed with it).
                CREATE FUNCTION vecscope_content_hash() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.content_hash := encode(sha256(convert_to(concat_ws(E'\\n\\n',
                        nullif(NEW.title, ''),
                        CASE WHEN cardinality(NEW.skills) > 0 THEN 'Skills: ' || array_to_string(NEW.skills, ', ') END,
                        nullif(NEW.description, ''), nullif(NEW.content, '')), 'UTF8')), 'hex');
                    RETURN NEW;
                END $$;
                -- Inserts carry the hash their writer computed (the loader, gen's COPY): only a changed text is rehashed.
                CREATE TRIGGER artifacts_content_hash BEFORE UPDATE OF title, description, content, skills ON artifacts
                    FOR EACH ROW
                    WHEN ((OLD.title, OLD.description, OLD.content, OLD.skills)
                          IS DISTINCT FROM (NEW.title, NEW.description, NEW.content, NEW.skills))
                    EXECUTE FUNCTION vecscope_content_hash();

                CREATE FUNCTION vecscope_queue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO embedding_queue (artifact_id, model_version)
                        SELECT n.id, w.model_version FROM new_rows n CROSS JOIN worker_models w ORDER BY n.id;
                    ELSE
                        INSERT INTO embedding_queue (artifact_id, model_version)
                        SELECT n.id, w.model_version
                        FROM new_rows n JOIN old_rows o ON o.id = n.id CROSS JOIN worker_models w
                        WHERE n.content_hash IS DISTINCT FROM o.content_hash ORDER BY n.id;
                    END IF;
                    IF FOUND THEN
                        PERFORM pg_notify('vecscope_embedding_queue', '');
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER artifacts_queue_insert AFTER INSERT ON artifacts REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION vecscope_queue_changed();
                CREATE TRIGGER artifacts_queue_update AFTER UPDATE ON artifacts
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION vecscope_queue_changed();

                -- `vecscope stats`: the cache's misses beside its lookups (access_count), so the hit rate is counted,
                -- not guessed; every row so far was made by one miss.
                ALTER TABLE job_embeddings ADD COLUMN miss_count bigint NOT NULL DEFAULT 1;
                -- Vectors a model returned that VectorCheck refused (never stored, never searched with).
                CREATE TABLE refused_vectors (
                    id            bigserial PRIMARY KEY,
                    model_version text NOT NULL,
                    source        text NOT NULL CHECK (source IN ('document', 'query')),
                    artifact_id   bigint,
                    problem       text NOT NULL,
                    refused_at    timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX refused_vectors_model ON refused_vectors (model_version, refused_at);
                """),
        // Per-user partitions (`vecscope partition`, ARCHITECTURE.md §3): an artifact's vectors carry its user, so
        // artifact_embeddings can be hash-partitioned by user_id and a user-scoped search can filter on the vectors'
        // own column (the planner prunes to one partition). A partitioned table's unique keys must hold the partition
        // key: the key gains user_id last, so it still leads with artifact_id for the lookups by artifact, and the
        // writers' ON CONFLICT target is the same in both layouts. Every writer writes user_id (from artifacts); the
        // trigger keeps it when an artifact changes hands (in a partitioned table the row moves partition).
        Migration(
            version: 6, name: "embeddings carry their user",
            sql: """
                ALTER TABLE artifact_embeddings ADD COLUMN user_id bigint;
                UPDATE artifact_embeddings e SET user_id = a.user_id FROM artifacts a WHERE a.id = e.artifact_id;
                ALTER TABLE artifact_embeddings ALTER COLUMN user_id SET NOT NULL;
                DO $$
                DECLARE old_key text;
                BEGIN
                    SELECT conname INTO STRICT old_key FROM pg_constraint
                    WHERE conrelid = 'artifact_embeddings'::regclass AND contype = 'u';
                    EXECUTE format('ALTER TABLE artifact_embeddings DROP CONSTRAINT %I', old_key);
                END $$;
                ALTER TABLE artifact_embeddings ADD CONSTRAINT artifact_embeddings_artifact_user_key
                    UNIQUE (artifact_id, content_type, model_version, user_id);

                CREATE FUNCTION vecscope_embeddings_follow_user() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE artifact_embeddings SET user_id = NEW.user_id
                    WHERE artifact_id = NEW.id AND user_id = OLD.user_id;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER artifacts_embeddings_user AFTER UPDATE OF user_id ON artifacts FOR EACH ROW
                    WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id) EXECUTE FUNCTION vecscope_embeddings_follow_user();
                """),
    ]
}

/// Applies pending migrations; safe to run from several processes at once (an advisory lock serialises them).
public struct Migrator {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// An arbitrary fixed key for pg_advisory_xact_lock, so concurrent migrators wait for each other.
    private static let lockKey = 7_460_113_271

    /// Returns the migrations applied by this call (empty when the schema was current).
    @discardableResult
    public func migrate(_ migrations: [Migration] = Migrations.all) throws -> [Migration] {
        // IF NOT EXISTS is not safe against a concurrent creator: serialise on the same lock as the migrations.
        try connection.transaction { conn in
            try conn.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            try conn.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """)
        }
        var applied: [Migration] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            let didApply = try connection.transaction { conn -> Bool in
                try conn.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
                let done = try conn.query("SELECT 1 FROM schema_migrations WHERE version = \(migration.version)")
                guard done.rowCount == 0 else { return false }
                do {
                    try conn.executeScript(migration.sql)
                } catch var error as PostgresError {
                    error.message = "migration \(migration.version) (\(migration.name)) failed: \(error.message)"
                    throw error
                }
                try conn.execute(
                    """
                    INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))
                    """)
                return true
            }
            if didApply { applied.append(migration) }
        }
        try restoreVectorSupport()
        // The built-in models come from the catalog, not from a migration: an idempotent upsert (under the same
        // lock) that fills a fresh database and brings an existing one a model added or re-priced in the catalog,
        // without editing an applied migration or freezing the catalog's present contents into a new one.
        try connection.transaction { conn in
            try conn.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            try EmbeddingModelRegistry(connection: conn).seedBuiltInModels()
        }
        _ = try connection.vectorTypeOIDs(refresh: true)
        return applied
    }

    /// DROP EXTENSION vector CASCADE, run after the migrations, removes the extension and every vector column with
    /// it while `schema_migrations` still lists them: create the extension again and put the columns back, empty
    /// (their rows are deleted: the vectors they held are gone, and `embed` makes them again).
    private func restoreVectorSupport() throws {
        try connection.transaction { conn in
            try conn.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            try conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            for table in try DatabaseEnvironment.read(conn).tablesMissingVectors
            where DatabaseEnvironment.vectorTables.contains(table) {
                // `table` is one of the fixed names above, never user input.
                try conn.executeScript(
                    """
                    DELETE FROM \(table);
                    ALTER TABLE \(table) ADD COLUMN embedding_vector vector NOT NULL,
                        ADD CHECK (vector_dims(embedding_vector) = model_dimensions);
                    ALTER TABLE \(table) ALTER COLUMN embedding_vector SET STORAGE MAIN;
                    """)
            }
        }
        _ = try connection.vectorTypeOIDs(refresh: true)
    }

    public func appliedVersions() throws -> [Int] {
        try connection.query("SELECT version FROM schema_migrations ORDER BY version").rows.map { try $0.decode(0) }
    }
}
