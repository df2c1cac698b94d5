package emerging

import "strings"

// stopwords are dropped as terms and break phrases: English function
// words, contractions, and the words nearly every complaint uses, which
// would otherwise rise with any surge of complaints.
var stopwords = func() map[string]struct{} {
	m := make(map[string]struct{})
	for _, w := range strings.Fields(stopwordList + " " + complaintWords) {
		m[w] = struct{}{}
	}
	return m
}()

const stopwordList = `
a about above after again against all almost also am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each else even
ever every few for from further get gets getting got gotten had hadn't has hasn't have haven't having he he'd he'll
he's her here here's hers herself him himself his how how's however i i'd i'll i'm i've if in into is isn't it it's
its itself just let's like lot lots me more most much must mustn't my myself no nor not now of off on once one only
or other ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't so some such than
that that's the their theirs them themselves then there there's these they they'd they'll they're they've this those
though through thru to too under until up upon us very was wasn't we we'd we'll we're we've were weren't what what's
when when's where where's which while who who's whom why why's will with won't would wouldn't you you'd you'll
you're you've your yours yourself yourselves yet via per etc im ive dont cant wont didnt doesnt isnt wasnt arent
havent hasnt couldnt wouldnt shouldnt youre theyre thats whats n't wo ca 're 've 'll 'd 'm 's gonna wanna gotta
lol omg wtf smh tbh idk imo pls plz thx thanks thank rt amp via yes yeah yep nope ok okay hey hi hello guys
`

// complaintWords are generic across complaints; they say nothing about
// what the complaint is about.
const complaintWords = `
please still again already anymore ever never always yet today tonight yesterday tomorrow week weeks day days hour
hours minute minutes time times month months year years now soon since ago long
help issue issues problem problems trouble error errors fail fails failed failing failure broken break breaks
working work works worked doesnt nothing anything something everything someone anyone everyone
bad terrible horrible awful worst worse poor useless ridiculous annoying annoyed frustrating frustrated angry
disappointed disappointing unacceptable pathetic joke seriously literally really actually totally absolutely
fix fixed sort sorted need needs want wants tried try trying keep keeps kept going gone come comes came make makes
made take takes took say says said tell told ask asked give gave know knew think thought see seen look looks
company customer customers service support team guys people thing things way lot
`
