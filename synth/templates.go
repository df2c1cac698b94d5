package synth

// Templates hold slots in braces: {n} a count (2-41), {order} an order
// number, and the keys of slots below. Every template is checked in
// TestTemplatesTagAndScoreAsIntended: a feature's complaints are tagged
// with the feature and read negative, its praise positive, and the
// unmapped complaints are tagged with no feature.

// Complaints are per-feature complaint templates.
var Complaints = map[string][]string{
	"checkout": {
		"checkout keeps failing with an error, {n} tries {time} #CheckoutFail",
		"@shop your checkout is broken, I can't place my order for the {product}",
		"stuck on the checkout page for {n} minutes with my {product}, nothing happens",
		"tried to check out {n} times {time} and it just spins. so frustrating",
		"promo code rejected at checkout for my {product}, says invalid. useless",
		"the place order button does nothing {time}, {n} clicks on the {product}. really annoying",
		"checkout wiped my address again, had to type it {n} times. awful",
	},
	"payment": {
		"my card was declined again {time} even though it works everywhere else",
		"charged twice for order {order} and still waiting for a reply",
		"payment failed on order {order} but the money left my bank?? @shop",
		"paypal payment keeps erroring out at the last step, {n} tries now",
		"apple pay just fails {time}, gave up on the {product}",
		"card declined {n} times for a {product}, my bank says it's fine. ridiculous",
	},
	"login": {
		"can't log in to my account {time}",
		"password reset email never arrives, locked out for {n} hours",
		"login page just reloads {time}, is the site down? @shop",
		"2fa code never comes so I can't sign in, tried {n} times",
		"the verification code is wrong every time, can't sign in {time}. annoying",
	},
	"search": {
		"search results are useless {time}, nothing relevant shows up",
		"the search bar throws an error for every query, even {product}. useless",
		"searched for a {product} and got {n} pages of phone chargers. terrible",
		"filters reset every time I change page, {n} times now. so frustrating",
	},
	"shipping": {
		"my package never arrived and tracking hasn't moved in {n} days",
		"delivery of my {product} was late again, tracking number says lost",
		"order {order} still in transit after {n} days. ridiculous",
		"{carrier} left my parcel in the rain, the {product} is soaked. awful",
		"paid for next day delivery, {n} days later still nothing. terrible",
	},
	"returns": {
		"still no refund {n} weeks after you got my return @shop",
		"the return label link is broken, can't send the {product} back. useless",
		"they refused to exchange my {product}, terrible service",
	},
	"mobile_app": {
		"the app crashes every time I open my orders, {n} times {time}",
		"latest app update broke everything, can't even look at the {product}. awful",
		"the app freezes on the home screen {time}. useless",
	},
	"support": {
		"{n} minutes on hold about order {order} and then they hung up",
		"no reply from customer support in {n} days, terrible #customerservice",
		"the {contact} agent just closed the chat on me {time}. rude",
	},
	"availability": {
		"is the site down? getting a {error} on every page {time}",
		"website won't load {time}, just a blank page after {n} minutes. useless",
		"site so slow it's unusable {time}, {n} seconds per page. awful",
		"checkout page won't load {time}, is the site down again? {n} tries @shop",
		"got a {error} at checkout for my {product} {time}, terrible. did my payment go through?",
		"can't load anything on the site {time}, {n} minutes now. servers down?",
	},
	"billing": {
		"the price of the {product} went up {n} pounds overnight, total rip off",
		"hidden fee of {n} pounds on my invoice for order {order}. disgusting",
	},
	"notifications": {
		"stop sending me spam emails, I unsubscribed {n} times. annoying",
		"never got the confirmation email for order {order}, so frustrating",
	},
	"cart": {
		"items keep vanishing from my cart {time}, so annoying",
		"can't add to basket {time}, the button is greyed out. useless",
		"my cart emptied itself again, lost the {product}. frustrating",
	},
}

// Spillover is, per feature, the features whose complaints also surge
// in an incident of that feature, with their share of the incident posts:
// a broken checkout brings "site down" posts and payment worries.
var Spillover = map[string][]Spill{
	"checkout": {{"availability", 0.3}, {"payment", 0.15}},
	"payment":  {{"checkout", 0.2}},
	"login":    {{"availability", 0.25}},
}

// Spill is a feature an incident spills over to and its share of the
// incident's posts.
type Spill struct {
	Feature string
	Share   float64
}

// featureMix is a feature's questions and praise, its share of feature
// posts and its mix of classes.
type featureMix struct {
	id     string
	weight float64
	// mix is the share of complaints and of questions; praise is the rest.
	mix       [2]float64
	questions []string
	praise    []string
}

var features = []featureMix{
	{id: "checkout", weight: 14, mix: [2]float64{0.40, 0.25},
		questions: []string{
			"can I use two promo codes at checkout?",
			"is guest checkout available or do I need to register?",
			"is there a student discount code I can use at checkout?",
			"where do I enter a voucher code when I check out?",
		},
		praise: []string{
			"checkout took {n} seconds for my {product}, so smooth. love it",
			"love the new one-page checkout, super quick and easy",
			"guest checkout is great, no account needed. nice work @shop",
		}},
	{id: "payment", weight: 10, mix: [2]float64{0.50, 0.30},
		questions: []string{
			"do you take klarna for orders over {n} pounds?",
			"can I pay with paypal when ordering from abroad?",
			"which cards do you accept for payment?",
		},
		praise: []string{
			"apple pay went through in a second, great experience",
			"paying with paypal was quick and easy {time}, thanks @shop",
			"love that klarna is an option now, payment was seamless",
		}},
	{id: "login", weight: 9, mix: [2]float64{0.60, 0.25},
		questions: []string{
			"how do I turn on two factor for my login?",
			"can I change my username without losing my orders?",
		},
		praise: []string{
			"password reset worked instantly, thanks for the quick help",
			"love the new one time code login, fast and easy",
		}},
	{id: "search", weight: 8, mix: [2]float64{0.30, 0.25},
		questions: []string{
			"is there a way to filter search results by size?",
			"does search cover the outlet section too?",
		},
		praise: []string{
			"the search is so much better now, found the {product} in seconds",
			"love the new filters, found exactly what I wanted. brilliant",
		}},
	{id: "shipping", weight: 16, mix: [2]float64{0.45, 0.30},
		questions: []string{
			"how do I change my delivery address after ordering?",
			"do you ship to ireland?",
			"what's the cutoff for next day delivery?",
			"which courier do you use for large parcels?",
		},
		praise: []string{
			"great service, my parcel arrived a day early!",
			"fast delivery as always, the {product} came next morning. love it",
			"the courier was lovely and the tracking was spot on. thanks @shop",
		}},
	{id: "returns", weight: 8, mix: [2]float64{0.40, 0.35},
		questions: []string{
			"how long do refunds usually take to show up?",
			"can I return a {product} bought in the sale?",
		},
		praise: []string{
			"got my refund in two days, really happy with that. thanks @shop",
			"returns were painless, printed the label and done. great",
		}},
	{id: "mobile_app", weight: 10, mix: [2]float64{0.25, 0.20},
		questions: []string{
			"is the app available on tablets?",
			"does the app support apple watch?",
		},
		praise: []string{
			"love the new app update, so quick and smooth",
			"the app is really good now, ordering a {product} takes seconds",
		}},
	{id: "support", weight: 10, mix: [2]float64{0.45, 0.20},
		questions: []string{
			"what time does customer support open on weekends?",
			"is there a phone number for customer service?",
		},
		praise: []string{
			"shoutout to the support team, sorted my issue in {n} minutes. amazing",
			"the {contact} agent was so helpful, thank you!",
		}},
	{id: "availability", weight: 4, mix: [2]float64{0.65, 0.25},
		questions: []string{
			"is there planned maintenance tonight?",
			"will the site be offline during the sale launch?",
		},
		praise: []string{
			"no more timeouts since the update, great job @shop",
			"site is back after the maintenance and faster than ever. love it",
		}},
	{id: "cart", weight: 5, mix: [2]float64{0.40, 0.30},
		questions: []string{
			"does the cart keep items if I close the browser?",
			"how long do items stay in my basket?",
		},
		praise: []string{
			"love that the basket remembers my {product} on every device",
			"the new cart page is so clean and easy. nice",
		}},
	{id: "billing", weight: 4, mix: [2]float64{0.45, 0.30},
		questions: []string{
			"do your prices include vat?",
			"can I get an invoice for order {order}?",
		},
		praise: []string{
			"prices on the {product} are really fair, great value",
			"love the price match promise, saved {n} pounds. brilliant",
		}},
	{id: "notifications", weight: 3, mix: [2]float64{0.50, 0.30},
		questions: []string{
			"how do I turn off push notifications?",
			"can I get sms updates for order {order}?",
		},
		praise: []string{
			"the new notification settings are great, finally just the updates I want",
			"love the email when my {product} is dispatched, so handy",
		}},
}

var totalWeight = func() float64 {
	var w float64
	for _, f := range features {
		w += f.weight
	}
	return w
}()

// Unmapped are complaint templates about things no feature of the default
// taxonomy covers, by topic. The steady ones (steadyTopics) are always a
// small share of posts; the others appear only through a Trend.
var Unmapped = map[string][]string{
	"wishlist": {
		"my wishlist got wiped, {n} items gone. so annoying",
		"wishlist keeps forgetting the {product}, really frustrating",
	},
	"reviews": {
		"my review of the {product} was never published, why bother. disappointing",
		"reviews on the {product} are clearly fake, awful",
	},
	"fit": {
		"the {product} runs two sizes small, so disappointed",
		"sizes are all over the place, the {product} is huge. annoyed",
	},
	"loyalty": {
		"my loyalty points disappeared {time}, {n} points gone. ridiculous",
		"loyalty points from my last order never showed up, so annoying",
		"where did my loyalty points go?? {n} points vanished. terrible",
	},
	"giftcert": {
		"gift certificate balance shows zero but I never used it. awful",
		"my gift certificate balance vanished {time}, really angry",
		"gift certificate balance wrong again, missing {n} pounds. terrible",
	},
	"darkmode": {
		"dark mode on the website is unreadable, grey text on black. awful",
		"the new dark mode hurts my eyes, terrible contrast",
		"dark mode turned itself on {time} and I can't read anything. annoying",
	},
}

// steadyTopics are the Unmapped topics of every stream.
var steadyTopics = []string{"wishlist", "reviews", "fit"}

// chatter names no feature.
var (
	chatterPraise = []string{
		"really happy with my new {product} from @shop",
		"@shop never disappoints, love this place",
		"the {product} I got is brilliant, great quality",
		"just treated myself to a {product}, so pleased",
	}
	chatterNeutral = []string{
		"does anyone know when the winter sale starts?",
		"just ordered a {product} from @shop",
		"looking at the new {product} range on the site",
		"anyone tried the {product} from @shop?",
		"does the {product} come in blue?",
	}
)

// slots are the values of the named slots.
var slots = map[string][]string{
	"product": {"jacket", "trainers", "headphones", "coffee maker", "desk lamp", "running shoes", "phone case",
		"backpack", "winter coat", "blender", "yoga mat", "kettle", "sofa cushion", "watch strap"},
	"time": {"today", "this morning", "since 9am", "all evening", "for an hour", "since lunch", "all day",
		"since last night", "again tonight"},
	"error":   {"502", "503", "504", "500 error", "gateway timeout"},
	"carrier": {"dpd", "evri", "the courier", "royal mail", "dhl"},
	"contact": {"live chat", "chat", "phone"},
}
