#pragma once

#include "jobs/deadletters.h"

#include <QString>

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace adcp::seller {

class SellerContext;

// What the seller's own people see and decide beside the AdCP tools (the seller console): each call reads or
// writes the seller's stores on the calling thread's connection, in a transaction of its own where it writes.
// Nothing here is reachable by a buyer.
namespace backoffice {

// Refuses a buy held for approval, as the seller's reviewer would: the buy is rejected and its task fails
// with `reason`. False with `error` set when the task is not one held for `principalId`, or the store failed.
bool rejectHeldBuy(SellerContext &seller, const std::string &principalId, const std::string &taskId,
                   const std::string &reason, QString *error);

// What the principal's buys depend on as the seller records it, and the current status (and the name the
// buyer gave it) of each resource the seller keeps one for. Empty when the stores cannot be read (a seller
// running without execution).
struct DependencyRecords
{
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> byBuy; // buy id -> (type, id)
    std::map<std::pair<std::string, std::string>, std::string> statuses;           // (type, id) -> status
    std::map<std::pair<std::string, std::string>, std::string> names; // (type, id) -> the buyer's name for it
};
DependencyRecords dependencyRecords(SellerContext &seller, const std::string &principalId);

// Adds to each task of a list_tasks answer for `principalId` what the seller's reviewer needs to tell held
// buys apart and list_tasks does not carry: "media_buy_id" (the buy the task holds), "params" (the
// request as the buyer sent it) and "names" ({"proposal": its name, "products": {product_id: name}}, the
// names the seller's records have for the request's ids). Tasks it cannot read stay as they are.
void describeTasks(SellerContext &seller, const std::string &principalId, nlohmann::json &tasks);

// An account a buyer asked for that waits for the seller's approval (the seller runs with manual approval).
struct PendingAccount
{
    std::string principalId;
    std::string accountId;
    std::string name;
    std::string brandDomain;
    std::string createdAt; // RFC 3339, as stored
};
// Every buyer's accounts awaiting approval, oldest first (at most `limit`): the seller's reviewer sees them
// all, whoever asked (the test lab's principals as well as the window's).
std::vector<PendingAccount> pendingAccounts(SellerContext &seller, int limit);
// Approves (active) or rejects an account awaiting approval. False with `error` set when it is not one of
// `principalId`'s accounts awaiting approval, or the store failed; nothing changes then.
bool decideAccount(SellerContext &seller, const std::string &principalId, const std::string &accountId,
                   bool approve, QString *error);

// An ad-server step (booking a package, its approval, a pause…) that failed: waiting to be tried again, or
// given up after its last try (the package then records the failure).
struct AdServerStep
{
    std::string principalId;
    std::string mediaBuyId;
    std::string packageId;
    std::string productName; // the package's product as the catalog names it; empty when unknown
    std::string adapter;     // the ad server ("guaranteed", "exchange")
    std::string step;        // "book", "approve", "pause", "resume", "cancel"
    int attempts = 0;        // tries so far
    std::string lastError;
    qint64 nextTryMs = 0; // wall-clock epoch milliseconds of the next try (retrying steps)
    bool givenUp = false;
};
struct AdServerSteps
{
    qint64 retrying = 0;             // every buyer's steps waiting to be tried again
    qint64 givenUp = 0;              // every buyer's steps given up
    std::vector<AdServerStep> steps; // retrying first (the soonest try first), then the latest given up
};
// The ad-server steps that are failing, whichever buyer's buy they serve (at most `limit` rows, the counts of
// all). Empty when the queue cannot be read (a seller running without execution).
AdServerSteps failingAdServerSteps(SellerContext &seller, int limit);

// The most recent dead letters of the job and webhook queues, newest first.
std::vector<DeadLetter> deadLetters(SellerContext &seller, int limit);

} // namespace backoffice
} // namespace adcp::seller
