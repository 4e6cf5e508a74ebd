# seed.py - 5,000 canned replies (10% personal to agent 1) as SQL for sqlite3, and the query
# list bench/85-canned.sh sends (one "q" per line) with what the raw anchor binds for each.
# Deterministic. usage: seed.py N SQL_OUT QUERIES_OUT ANCHOR_OUT
import json, random, sys
random.seed(7)
W = ("order refund parcel courier store tomorrow today card account delivery return label "
     "warehouse size colour jacket boots invoice payment address pickup mitte friday sorry thanks "
     "check sent arrives days exchange voucher discount tracking damaged missing late early "
     "weekend holiday opening hours shipping express standard customs duty warranty repair").split()
n = int(sys.argv[1]); out = open(sys.argv[2], "w"); qf = open(sys.argv[3], "w"); af = open(sys.argv[4], "w")
out.write("BEGIN;\n")
shortcuts = []
for i in range(n):
    t = " ".join(random.choice(W) for _ in range(3)).capitalize()
    sc = f"{random.choice(W)}-{i}"
    shortcuts.append(sc)
    bodies = {"en": "Hi {contact.first_name}, " + " ".join(random.choice(W) for _ in range(40)) + "."}
    if i % 3 == 0:
        bodies["es"] = "Hola {contact.first_name}, " + " ".join(random.choice(W) for _ in range(40)) + "."
    owner = "1" if i % 10 == 0 else "NULL"
    out.write("INSERT INTO canned_reply(owner_agent_id,title,shortcut,tags,bodies,default_lang,created_at,updated_at) "
              "VALUES (%s,'%s','%s','[]','%s','en',0,0);\n" % (owner, t, sc, json.dumps(bodies).replace("'", "''")))
out.write("INSERT INTO canned_fts(rowid,title,body) SELECT id,title,(SELECT group_concat(value,' ') "
          "FROM json_each(bodies) WHERE type='text') FROM canned_reply;\nCOMMIT;\n")
qs = []
for i in range(1000):
    k = i % 4
    if k == 0: qs.append(random.choice(shortcuts)[:random.randint(2, 6)])       # shortcut prefix
    elif k == 1: qs.append(random.choice(W)[:4])                                 # word prefix
    elif k == 2: qs.append(random.choice(W) + " " + random.choice(W))            # two body words
    else: qs.append(random.choice(shortcuts))                                    # exact shortcut
for q in qs:
    qf.write(q + "\n")
    # The anchor gets what st_canned.c binds: the LIKE prefix and the FTS5 prefix terms.
    words = "".join(c if c.isalnum() else " " for c in q).split()
    af.write(q + "%\t" + " ".join('"%s"*' % w for w in words) + "\n")
