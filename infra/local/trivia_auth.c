/*
 * trivia_auth: the local cloud's MQTT authorizer, a Mosquitto 2.0 plugin (plugin API v5).
 *
 * Locally it plays the part of the AWS IoT custom authorizer (docs/mqtt.md, decision 0010):
 * a client logs in with a username (the player id) and a token as its password; the token is
 * "v1.<expiry>.<mac>", where <mac> is the lowercase hex HMAC-SHA256 of "v1.<username>.<expiry>"
 * under a key only the local cloud holds (services/live/mqtt_tokens.py issues them). Nothing
 * per player is stored in the broker, so issuing credentials costs the broker nothing and a
 * connect costs one HMAC, however many players there are.
 *
 * Options (mosquitto.conf, written by infra/local/mosquitto.py):
 *   plugin_opt_key_file    a file holding the key, in hex (64 characters)
 *   plugin_opt_publish     topics a player may publish to, space separated
 *   plugin_opt_subscribe   topic filters a player may subscribe to and receive from
 *   plugin_opt_superusers  usernames with every right and any client id (the service)
 * In topics and filters, %u stands for the player's username.
 *
 * A player's client id must be its username; a username is one topic segment (letters,
 * digits and _ . : @ -, at most 128), so substituting it cannot widen a pattern. Nothing is
 * retained. Everything not granted is refused.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#define MAX_RULES 16
#define MAX_KEY_BYTES 64
#define MAX_USERNAME 128
#define MAX_TOPIC 512
#define MAC_HEX 64

struct rules {
	char *items[MAX_RULES];
	int count;
};

static mosquitto_plugin_id_t *plugin_id;
static unsigned char key[MAX_KEY_BYTES];
static size_t key_len;
static struct rules publish_rules, subscribe_rules, superusers;

static int hex_value(int c)
{
	if(c >= '0' && c <= '9') return c - '0';
	if(c >= 'a' && c <= 'f') return c - 'a' + 10;
	if(c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static int read_key(const char *path)
{
	char text[2 * MAX_KEY_BYTES + 2];
	size_t length, i;
	FILE *file = fopen(path, "r");

	if(!file) return 0;
	length = fread(text, 1, sizeof(text) - 1, file);
	fclose(file);
	text[length] = '\0';
	while(length > 0 && isspace((unsigned char)text[length - 1])) text[--length] = '\0';
	if(length == 0 || length % 2 != 0 || length / 2 > MAX_KEY_BYTES) return 0;
	for(i = 0; i < length / 2; i++){
		int high = hex_value(text[2 * i]), low = hex_value(text[2 * i + 1]);
		if(high < 0 || low < 0) return 0;
		key[i] = (unsigned char)(high * 16 + low);
	}
	key_len = length / 2;
	return 1;
}

/* Space-separated words into rules (the strings are kept until cleanup). */
static int split(const char *value, struct rules *into)
{
	char *copy = strdup(value), *word, *rest = NULL;

	if(!copy) return 0;
	for(word = strtok_r(copy, " \t", &rest); word; word = strtok_r(NULL, " \t", &rest)){
		if(into->count == MAX_RULES){
			free(copy);
			return 0;
		}
		into->items[into->count] = strdup(word);
		if(!into->items[into->count]){
			free(copy);
			return 0;
		}
		into->count++;
	}
	free(copy);
	return 1;
}

static void release(struct rules *rules)
{
	for(int i = 0; i < rules->count; i++) free(rules->items[i]);
	rules->count = 0;
}

static int listed(const struct rules *rules, const char *word)
{
	for(int i = 0; i < rules->count; i++){
		if(strcmp(rules->items[i], word) == 0) return 1;
	}
	return 0;
}

static int is_identity(const char *value)
{
	size_t length = strlen(value);

	if(length == 0 || length > MAX_USERNAME) return 0;
	for(size_t i = 0; i < length; i++){
		unsigned char c = (unsigned char)value[i];
		if(!isalnum(c) && !strchr("_.:@-", c)) return 0;
	}
	return 1;
}

/* "v1.<expiry>.<mac>": well formed, unexpired and signed for this username. */
static int token_valid(const char *username, const char *token)
{
	char message[MAX_USERNAME + 32], expected[MAC_HEX + 1];
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	const char *expiry, *dot;
	long long expires_at;
	char *end;
	size_t digits;

	if(strncmp(token, "v1.", 3) != 0) return 0;
	expiry = token + 3;
	dot = strchr(expiry, '.');
	digits = dot ? (size_t)(dot - expiry) : 0;
	if(digits == 0 || digits > 12 || strlen(dot + 1) != MAC_HEX) return 0;
	expires_at = strtoll(expiry, &end, 10);
	if(end != dot || expires_at < (long long)time(NULL)) return 0;
	snprintf(message, sizeof(message), "v1.%s.%.*s", username, (int)digits, expiry);
	if(!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)message, strlen(message),
	         mac, &mac_len) || mac_len * 2 != MAC_HEX){
		return 0;
	}
	for(unsigned int i = 0; i < mac_len; i++) snprintf(expected + 2 * i, 3, "%02x", mac[i]);
	return CRYPTO_memcmp(expected, dot + 1, MAC_HEX) == 0;
}

/* A rule with %u replaced by the username; 0 when it would not fit. */
static int expand(const char *rule, const char *username, char *out, size_t size)
{
	size_t used = 0, username_len = strlen(username);

	for(const char *p = rule; *p; p++){
		if(p[0] == '%' && p[1] == 'u'){
			if(used + username_len >= size) return 0;
			memcpy(out + used, username, username_len);
			used += username_len;
			p++;
		}else{
			if(used + 1 >= size) return 0;
			out[used++] = *p;
		}
	}
	out[used] = '\0';
	return 1;
}

/* Whether every topic the subscription filter matches is one the rule matches, level by level:
 * a rule's "#" covers the rest, its "+" any one level but "#", its words only themselves. */
static int covers(const char *rule, const char *filter)
{
	for(;;){
		size_t rule_len = strcspn(rule, "/"), filter_len = strcspn(filter, "/");
		if(rule_len == 1 && rule[0] == '#') return 1;
		if(filter_len == 1 && filter[0] == '#') return 0;
		if(!(rule_len == 1 && rule[0] == '+')
		   && (rule_len != filter_len || strncmp(rule, filter, rule_len) != 0)){
			return 0;
		}
		rule += rule_len;
		filter += filter_len;
		if(*rule == '\0' || *filter == '\0') return *rule == '\0' && *filter == '\0';
		rule++;
		filter++;
	}
}

/* A subscription: the filter within a rule; a publish or a delivery: the topic matches one. */
static int granted(const struct rules *rules, const char *username, const char *topic,
                   int subscription)
{
	char pattern[MAX_TOPIC];
	bool matches;

	for(int i = 0; i < rules->count; i++){
		if(!expand(rules->items[i], username, pattern, sizeof(pattern))) continue;
		if(subscription){
			if(covers(pattern, topic)) return 1;
		}else if(mosquitto_topic_matches_sub(pattern, topic, &matches) == MOSQ_ERR_SUCCESS
		         && matches){
			return 1;
		}
	}
	return 0;
}

static int on_basic_auth(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_basic_auth *auth = event_data;
	const char *client_id;

	(void)event;
	(void)userdata;
	if(!auth->username || !auth->password || !is_identity(auth->username)) return MOSQ_ERR_AUTH;
	if(!token_valid(auth->username, auth->password)) return MOSQ_ERR_AUTH;
	if(listed(&superusers, auth->username)) return MOSQ_ERR_SUCCESS;
	client_id = mosquitto_client_id(auth->client);
	if(!client_id || strcmp(client_id, auth->username) != 0) return MOSQ_ERR_AUTH;
	return MOSQ_ERR_SUCCESS;
}

static int on_acl_check(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_acl_check *check = event_data;
	const char *username = mosquitto_client_username(check->client);

	(void)event;
	(void)userdata;
	if(!username || !check->topic) return MOSQ_ERR_ACL_DENIED;
	if(listed(&superusers, username)) return MOSQ_ERR_SUCCESS;
	switch(check->access){
		case MOSQ_ACL_WRITE:
			if(check->retain) return MOSQ_ERR_ACL_DENIED;
			return granted(&publish_rules, username, check->topic, 0)
			       ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
		case MOSQ_ACL_SUBSCRIBE:
			return granted(&subscribe_rules, username, check->topic, 1)
			       ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
		case MOSQ_ACL_READ:
			return granted(&subscribe_rules, username, check->topic, 0)
			       ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
		case MOSQ_ACL_UNSUBSCRIBE:
			return MOSQ_ERR_SUCCESS;
		default:
			return MOSQ_ERR_ACL_DENIED;
	}
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for(int i = 0; i < supported_version_count; i++){
		if(supported_versions[i] == 5) return 5;
	}
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
                          struct mosquitto_opt *options, int option_count)
{
	int have_key = 0, ok = 1;

	(void)userdata;
	plugin_id = identifier;
	for(int i = 0; i < option_count; i++){
		const char *name = options[i].key, *value = options[i].value;
		if(!strcmp(name, "key_file")) have_key = read_key(value);
		else if(!strcmp(name, "publish")) ok &= split(value, &publish_rules);
		else if(!strcmp(name, "subscribe")) ok &= split(value, &subscribe_rules);
		else if(!strcmp(name, "superusers")) ok &= split(value, &superusers);
	}
	if(!have_key || !ok){
		mosquitto_log_printf(MOSQ_LOG_ERR, "trivia_auth: %s",
		                     have_key ? "too many rules" : "plugin_opt_key_file is missing or bad");
		return MOSQ_ERR_INVAL;
	}
	if(mosquitto_callback_register(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, NULL)
	   || mosquitto_callback_register(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL, NULL)){
		return MOSQ_ERR_UNKNOWN;
	}
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)userdata;
	(void)options;
	(void)option_count;
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL);
	release(&publish_rules);
	release(&subscribe_rules);
	release(&superusers);
	OPENSSL_cleanse(key, sizeof(key));
	return MOSQ_ERR_SUCCESS;
}
