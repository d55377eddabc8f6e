# Sourced by the bench scripts: writes the bench workspace into "$1" (data file in "$1/data").
make_workspace() {
    local ws="$1"
    mkdir -p "$ws/processes" "$ws/connectors" "$ws/profiles" "$ws/data" "$ws/out"
    cat > "$ws/processes/bench.xml" <<'XML'
<process id="bench" name="Map orders">
  <shapes>
    <start id="start" next="map"><connector connection="files" operation="read-orders"/></start>
    <map id="map" map="order-to-out" next="write"/>
    <connector id="write" connection="files" operation="write-orders" next="done"/>
    <stop id="done"/>
  </shapes>
</process>
XML
    cat > "$ws/processes/bench-threads.xml" <<'XML'
<process id="bench-threads" name="Map orders on two threads, order kept">
  <shapes>
    <start id="start" next="flow"><connector connection="files" operation="read-orders"/></start>
    <flowControl id="flow" batchSize="10000" threads="2" next="map"/>
    <map id="map" map="order-to-out" next="write"/>
    <connector id="write" connection="files" operation="write-threads" next="done"/>
    <stop id="done"/>
  </shapes>
</process>
XML
    cat > "$ws/connectors/files.xml" <<'XML'
<connection id="files" type="disk"><directory>.</directory></connection>
XML
    cat > "$ws/connectors/read-orders.xml" <<'XML'
<operation id="read-orders" type="disk" action="get">
  <filePattern>orders.ndjson</filePattern>
  <split by="json-lines"/>
</operation>
XML
    cat > "$ws/connectors/write-orders.xml" <<'XML'
<operation id="write-orders" type="disk" action="send">
  <fileName>out/conveyor.ndjson</fileName>
  <append>true</append>
</operation>
XML
    cat > "$ws/connectors/write-threads.xml" <<'XML'
<operation id="write-threads" type="disk" action="send">
  <fileName>out/threads.ndjson</fileName>
  <append>true</append>
</operation>
XML
    cat > "$ws/profiles/order.xml" <<'XML'
<profile id="order" type="json">
  <element name="id" type="number" required="true"/>
  <element name="customer" type="object">
    <element name="name" type="character"/>
    <element name="country" type="character"/>
  </element>
  <element name="items" type="array">
    <element name="sku" type="character"/>
    <element name="qty" type="number"/>
  </element>
  <element name="price" type="number"/>
  <element name="placedAt" type="character"/>
</profile>
XML
    cat > "$ws/profiles/order-out.xml" <<'XML'
<profile id="order-out" type="json">
  <element name="order_id" type="number"/>
  <element name="customer" type="character"/>
  <element name="country" type="character"/>
  <element name="items" type="array">
    <element name="sku" type="character"/>
    <element name="qty" type="number"/>
  </element>
  <element name="total" type="number"/>
  <element name="placed_at" type="character"/>
</profile>
XML
    cat > "$ws/profiles/order-to-out.xml" <<'XML'
<map id="order-to-out" from="order" to="order-out">
  <mapping from="/id" to="/order_id"/>
  <mapping from="/customer/name" to="/customer"><function name="uppercase"/></mapping>
  <mapping from="/customer/country" to="/country"/>
  <mapping from="/items/*/sku" to="/items/*/sku"/>
  <mapping from="/items/*/qty" to="/items/*/qty"/>
  <mapping from="/price" to="/total"/>
  <mapping from="/placedAt" to="/placed_at"/>
</map>
XML
}

# The jq program doing the same mapping.
JQ_MAP='{order_id: .id, customer: (.customer.name | ascii_upcase), country: .customer.country,
         items: [.items[] | {sku, qty}], total: .price, placed_at: .placedAt}'

# Runs a command (bench/timed.py, from its own resource usage); sets WALL (s), CPU (s, user + system,
# to the millisecond) and RSS (MB), and returns its exit status.
timed() {
    local report status
    report=$(python3 "$(dirname "${BASH_SOURCE[0]}")/timed.py" "$@") || return 1
    read -r WALL CPU RSS status <<< "$report"
    return "$status"
}

# The release binary, built if missing.
conveyor_binary() {
    local root="$1"
    if [ -n "${CONVEYOR_BIN:-}" ]; then echo "$CONVEYOR_BIN"; return 0; fi
    if [ ! -x "$root/.build/release/conveyor" ] || [ -n "${REBUILD:-}" ]; then
        (cd "$root" && swift build -c release --static-swift-stdlib --product conveyor >&2) || return 1
    fi
    echo "$root/.build/release/conveyor"
}

# Writes a workspace into "$1" whose process `bench` reads data/rows.ndjson (json-lines), maps each
# row onto itself (id, name, amount, ts, pad) and writes it with a google-bigquery streaming-insert
# into demo.<dataset "$2">.<table "$3"> over API "$4" (insert-all or storage-write), "$5" rows a request.
make_insert_workspace() {
    local ws="$1" dataset="$2" table="$3" api="$4" batch="$5"
    mkdir -p "$ws/processes" "$ws/connectors" "$ws/profiles" "$ws/data"
    cat > "$ws/processes/bench.xml" <<XML
<process id="bench" name="Rows to BigQuery ($api)">
  <shapes>
    <start id="start" next="map"><connector connection="files" operation="read-rows"/></start>
    <map id="map" map="row-to-table" next="write"/>
    <connector id="write" connection="bq" operation="write-rows" next="done"/>
    <stop id="done"/>
  </shapes>
</process>
XML
    cat > "$ws/connectors/files.xml" <<'XML'
<connection id="files" type="disk"><directory>data</directory></connection>
XML
    cat > "$ws/connectors/read-rows.xml" <<'XML'
<operation id="read-rows" type="disk" action="get"><filePattern>rows.ndjson</filePattern><split by="json-lines"/></operation>
XML
    cat > "$ws/connectors/bq.xml" <<'XML'
<connection id="bq" type="google-bigquery"><projectId>demo</projectId><auth grant="none"/></connection>
XML
    cat > "$ws/connectors/write-rows.xml" <<XML
<operation id="write-rows" type="google-bigquery" action="streaming-insert">
  <datasetId>$dataset</datasetId>
  <tableId>$table</tableId>
  <api>$api</api>
  <batchCount>$batch</batchCount>
</operation>
XML
    local profile
    for profile in row row-out; do
        cat > "$ws/profiles/$profile.xml" <<XML
<profile id="$profile" type="json">
  <element name="id" type="number"/>
  <element name="name" type="character"/>
  <element name="amount" type="character"/>
  <element name="ts" type="character"/>
  <element name="pad" type="character"/>
</profile>
XML
    done
    cat > "$ws/profiles/row-to-table.xml" <<'XML'
<map id="row-to-table" from="row" to="row-out">
  <mapping from="/id" to="/id"/>
  <mapping from="/name" to="/name"/>
  <mapping from="/amount" to="/amount"/>
  <mapping from="/ts" to="/ts"/>
  <mapping from="/pad" to="/pad"/>
</map>
XML
}

# Writes a workspace into "$1" reading the results of a query job (`--input` {"jobId": ...}) from
# the emulator: process read-results writes the rows into out/rows.jsonl, read-only passes them to a
# stop shape.
make_query_results_workspace() {
    local ws="$1"
    mkdir -p "$ws/processes" "$ws/connectors" "$ws/out"
    cat > "$ws/connectors/bigquery.xml" <<'XML'
<connection id="bigquery" type="google-bigquery">
  <projectId>demo</projectId>
  <auth grant="none"/>
  <timeouts connect="5s" request="120s"/>
</connection>
XML
    cat > "$ws/connectors/read-rows.xml" <<'XML'
<operation id="read-rows" type="google-bigquery" action="get-query-results">
  <maxResults>1000</maxResults>
  <timeout>10m</timeout>
</operation>
XML
    cat > "$ws/connectors/out.xml" <<'XML'
<connection id="out" type="disk"><directory>out</directory></connection>
XML
    cat > "$ws/connectors/write-rows.xml" <<'XML'
<operation id="write-rows" type="disk" action="send"><fileName>rows.jsonl</fileName><append>true</append></operation>
XML
    cat > "$ws/processes/read-results.xml" <<'XML'
<process id="read-results" name="Read query results">
  <shapes>
    <start id="start" next="read"><input/></start>
    <connector id="read" connection="bigquery" operation="read-rows" next="write"/>
    <connector id="write" connection="out" operation="write-rows" next="done"/>
    <stop id="done"/>
  </shapes>
</process>
XML
    cat > "$ws/processes/read-only.xml" <<'XML'
<process id="read-only" name="Read query results, keep nothing">
  <shapes>
    <start id="start" next="read"><input/></start>
    <connector id="read" connection="bigquery" operation="read-rows" next="done"/>
    <stop id="done"/>
  </shapes>
</process>
XML
}

# Prints one machine-readable line for bench/run:
#   RESULT bench=B case=C metric=M conveyor=V [peer=P peer_value=W]
# (bench/run puts conveyor's value, the peer's and their ratio conveyor/peer in one table row).
result() {
    local line="RESULT bench=$1 case=$2 metric=$3 conveyor=$4"
    [ $# -lt 6 ] || line="$line peer=$5 peer_value=$6"
    echo "$line"
}
